/**
 * IP address text as the guards see it: Node's `socket.remoteAddress`, and the addresses decoded
 * from /proc/net/tcp{,6}. Parsed to bytes, so that loopback is decided on the address and not on
 * a string prefix (`::ffff:7f00:1` is the same peer as `::ffff:127.0.0.1`), and so that an IPv4
 * client seen by a dual-stack listener as `::ffff:127.0.0.1` matches its own /proc/net/tcp entry.
 */

/** 4 bytes for IPv4, 16 for IPv6; undefined when `text` is not an IP address. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  let s = text.trim()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  // A zone (fe80::1%eth0) names the interface, not the address.
  const zone = s.indexOf('%')
  if (zone !== -1) s = s.slice(0, zone)
  if (!s.includes(':')) return parseIpv4(s)
  return parseIpv6(s)
}

/**
 * The form used to compare addresses: dotted IPv4 for IPv4 and IPv4-mapped IPv6
 * (RFC 4291 §2.5.5.2), RFC 5952 text for other IPv6.
 */
export function formatIpAddress(bytes: Uint8Array): string {
  const v4 = bytes.length === 4 ? bytes : unmapIpv4(bytes)
  if (v4) return Array.from(v4).join('.')
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first if tied.
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart === -1) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** The canonical text of an address (see {@link formatIpAddress}), or undefined if it is none. */
export function canonicalIpAddress(text: string): string | undefined {
  const bytes = parseIpAddress(text)
  return bytes ? formatIpAddress(bytes) : undefined
}

/**
 * True for 127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1 (RFC 4291 §2.5.3) and IPv4-mapped 127/8.
 * Anything unparsable is not loopback (threat T12: refuse when in doubt).
 */
export function isLoopbackAddress(text: string): boolean {
  const bytes = parseIpAddress(text)
  if (!bytes) return false
  const v4 = bytes.length === 4 ? bytes : unmapIpv4(bytes)
  if (v4) return v4[0] === 127
  return bytes.every((b, i) => b === (i === 15 ? 1 : 0))
}

function unmapIpv4(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length !== 16) return undefined
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return undefined
  return bytes.subarray(12)
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!
    // Leading zeros are refused: some stacks read them as octal, so they are ambiguous.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined
    const value = Number(part)
    if (value > 255) return undefined
    bytes[i] = value
  }
  return bytes
}

function parseIpv6(s: string): Uint8Array | undefined {
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : halves[0]!.split(':')
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : []
  const words: number[] = []
  const tailWords: number[] = []
  if (!pushGroups(head, words, halves.length === 1)) return undefined
  if (!pushGroups(tail, tailWords, true)) return undefined
  const missing = 8 - words.length - tailWords.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [...words, ...new Array<number>(missing).fill(0), ...tailWords]
  const bytes = new Uint8Array(16)
  all.forEach((w, i) => {
    bytes[2 * i] = w >> 8
    bytes[2 * i + 1] = w & 0xff
  })
  return bytes
}

/** Appends 16-bit groups; a dotted IPv4 is allowed as the last group of the address only. */
function pushGroups(groups: string[], out: number[], mayEndWithIpv4: boolean): boolean {
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!
    if (group.includes('.')) {
      if (!mayEndWithIpv4 || i !== groups.length - 1) return false
      const v4 = parseIpv4(group)
      if (!v4) return false
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
      continue
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false
    out.push(parseInt(group, 16))
  }
  return true
}
