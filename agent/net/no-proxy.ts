import { isLoopbackAddress, parseIpAddress } from '../http/ip-address.js'

/** One entry of a NO_PROXY list, parsed once. */
export type NoProxyEntry =
  | { kind: 'name'; name: string; port: number | undefined }
  | { kind: 'ip'; bytes: Uint8Array; bits: number; port: number | undefined }

/** A parsed NO_PROXY list; `all` is the lone `*`. */
export interface NoProxyList {
  all: boolean
  entries: NoProxyEntry[]
}

/**
 * Parse a NO_PROXY value as curl documents it (CURLOPT_NOPROXY(3), curl's lib/noproxy.c): a list
 * separated by commas (blanks around entries ignored); a lone `*` matches every host; a leading
 * and a trailing dot are ignored, so `.example.com` and `example.com` both match `example.com`
 * and any name under it, never `notexample.com`; IP addresses are compared as addresses, with
 * an optional CIDR suffix (`10.0.0.0/8`); IPv6 addresses are written without brackets. The URL's
 * port does not matter (curl: "ample.com would match ... ample.com:80").
 *
 * One addition to curl: an entry with a port (`proxy-free.example:8443`, `[fd00::1]:8443`)
 * matches that host on that port only, as Go's net/http/httpproxy and Python's requests do;
 * curl compares such an entry as a name that never matches.
 */
export function parseNoProxy(value: string): NoProxyList {
  const tokens = value
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter(Boolean)
  if (value.trim() === '*') return { all: true, entries: [] }
  const entries: NoProxyEntry[] = []
  for (const token of tokens) {
    const entry = parseEntry(token)
    if (entry) entries.push(entry)
  }
  return { all: false, entries }
}

/** Whether `hostname` (as in a URL: IPv6 in brackets) on `port` is reached without the proxy. */
export function matchesNoProxy(list: NoProxyList, hostname: string, port: number): boolean {
  if (list.all) return true
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
  const ip = parseIpAddress(bare)
  const name = stripDots(bare.toLowerCase())
  return list.entries.some((entry) => {
    if (entry.port !== undefined && entry.port !== port) return false
    if (entry.kind === 'ip') return ip !== undefined && ip.length === entry.bytes.length && sameNetwork(ip, entry.bytes, entry.bits)
    // curl compares names only with names: an IP host never matches a name entry.
    if (ip !== undefined) return false
    return name === entry.name || name.endsWith(`.${entry.name}`)
  })
}

/**
 * Loopback is never proxied, whatever the lists say: `localhost` and names under it (RFC 6761
 * §6.3), 127.0.0.0/8 (RFC 1122 §3.2.1.3) and ::1 (RFC 4291 §2.5.3). The sandbox and the agent's
 * own pages live there, and a proxy could not reach this machine's loopback anyway.
 */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
  const name = stripDots(bare.toLowerCase())
  return name === 'localhost' || name.endsWith('.localhost') || isLoopbackAddress(bare)
}

function parseEntry(token: string): NoProxyEntry | undefined {
  let host = token
  let port: number | undefined
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(token)
  if (bracketed) {
    host = bracketed[1]!
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2])
  } else {
    // One colon is host:port; more are an IPv6 address written without brackets (curl's form).
    const colons = token.split(':').length - 1
    const withPort = colons === 1 ? /^(.*):(\d{1,5})$/.exec(token) : null
    if (withPort) {
      host = withPort[1]!
      port = Number(withPort[2])
    }
  }
  if (port !== undefined && (port < 1 || port > 65535)) return undefined
  const slash = host.indexOf('/')
  const address = parseIpAddress(slash === -1 ? host : host.slice(0, slash))
  if (address) {
    const maxBits = address.length * 8
    const bits = slash === -1 ? maxBits : Number(host.slice(slash + 1))
    if (!Number.isInteger(bits) || bits < 0 || bits > maxBits) return undefined
    return { kind: 'ip', bytes: address, bits, port }
  }
  const name = stripDots(host.toLowerCase())
  if (name === '' || name.includes('/')) return undefined
  return { kind: 'name', name, port }
}

function stripDots(name: string): string {
  return name.replace(/^\.+/, '').replace(/\.+$/, '')
}

function sameNetwork(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if ((a[i]! & mask) !== (b[i]! & mask)) return false
  }
  return true
}
