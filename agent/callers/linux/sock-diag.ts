/**
 * The kernel's sock_diag lookups (native/sock-diag.c), Linux only and optional:
 * - one TCP socket by its 4-tuple: the same socket, uid and inode that /proc/net/tcp lists, found
 *   by one hash lookup instead of a walk of the whole table (measured here: 11 µs against 3.3 ms
 *   per fresh connection). Without the addon, or when it finds nothing, the tables are read
 *   (agent/http/peer-uid.ts, which also decides whether an answer is the client's socket);
 * - the peer of one Unix socket by its inode (39 µs here), instead of a run of `ss -xnH` that
 *   lists every Unix socket (6.5 ms; agent/callers/linux/parse-ss-unix.ts), which stays the
 *   fallback.
 */
import { createServer, connect, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { canonicalIpAddress } from '../../http/ip-address.js'
import type { SockDiagLookup } from '../../http/peer-uid.js'
import { findNativeAddon, requireNativeAddon } from '../../platform/native-addon.js'

/** The addon `npm run build` compiles from native/sock-diag.c (NATIVE_ADDONS in installer/bundle-layout.ts). */
const ADDON_FILE = 'sock-diag.node'

/** What the addon's `lookup` answers (sock-diag.c). */
interface DiagAnswer {
  family: 4 | 6
  state: number
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  uid: number
  inode: number
}

type AddonLookup = (family: 4 | 6, localAddress: string, localPort: number, remoteAddress: string, remotePort: number) => DiagAnswer | undefined

/** What the addon's `unixPeer` answers (sock-diag.c): the socket asked about and its peer's inode, 0 for none. */
interface UnixDiagAnswer {
  inode: number
  peer: number
}

/**
 * The inode of the peer of the Unix socket `inode`: 0 when the kernel says it has none; undefined
 * when the kernel did not answer (no such socket, no unix_diag in this kernel, any error).
 */
export type UnixPeerLookup = (inode: number) => number | undefined

/** Where the addon is, seen from this module in any of the package's layouts (agent/platform/native-addon.ts). */
export function findSockDiagAddon(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  return findNativeAddon(ADDON_FILE, from, 3)
}

/** The lookup through the package's addon; undefined off Linux or without the addon. */
export function loadSockDiag(): SockDiagLookup | undefined {
  if (process.platform !== 'linux') return undefined
  return sockDiagFrom(requireNativeAddon(findSockDiagAddon()))
}

/** The Unix-socket peer lookup through the package's addon; undefined off Linux or without the addon. */
export function loadUnixPeerLookup(): UnixPeerLookup | undefined {
  if (process.platform !== 'linux') return undefined
  return unixPeerLookupFrom(requireNativeAddon(findSockDiagAddon()))
}

/** {@link loadUnixPeerLookup} on an addon's exports (tests hand in recorded answers). */
export function unixPeerLookupFrom(addon: Record<string, unknown> | undefined): UnixPeerLookup | undefined {
  if (typeof addon?.unixPeer !== 'function') return undefined
  const unixPeer = addon.unixPeer as (inode: number) => UnixDiagAnswer | undefined
  return (inode) => {
    let answer: UnixDiagAnswer | undefined
    try {
      answer = unixPeer(inode)
    } catch {
      return undefined
    }
    // An answer about another socket is no answer.
    if (answer === undefined || answer.inode !== inode || !Number.isInteger(answer.peer) || answer.peer < 0) return undefined
    return answer.peer
  }
}

/** {@link loadSockDiag} on an addon's exports (tests hand in recorded answers). */
export function sockDiagFrom(addon: Record<string, unknown> | undefined): SockDiagLookup | undefined {
  if (typeof addon?.lookup !== 'function') return undefined
  const lookup = addon.lookup as AddonLookup
  return (local, remote) => {
    // Canonical text shows IPv4 (and IPv4-mapped IPv6) dotted: the kernel finds an IPv6 socket
    // connected to a mapped address by its IPv4 4-tuple too (inet_diag_find_one_icsk).
    const family = local.address.includes(':') ? 6 : 4
    if ((remote.address.includes(':') ? 6 : 4) !== family) return undefined
    let answer: DiagAnswer | undefined
    try {
      answer = lookup(family, local.address, local.port, remote.address, remote.port)
    } catch {
      return undefined
    }
    if (answer === undefined) return undefined
    const localAddress = canonicalIpAddress(answer.localAddress)
    const remoteAddress = canonicalIpAddress(answer.remoteAddress)
    if (localAddress === undefined || remoteAddress === undefined) return undefined
    return {
      local: { address: localAddress, port: answer.localPort },
      remote: { address: remoteAddress, port: answer.remotePort },
      state: answer.state,
      uid: answer.uid,
      inode: answer.inode,
    }
  }
}

/**
 * Whether this kernel answers the lookup: a loopback connection of this process is looked up and
 * must be found with its inode. A kernel without the tcp_diag handler answers "no such socket"
 * to every lookup (net/ipv4/inet_diag.c, inet_diag_lock_handler), which loading the addon alone
 * does not show. For `ehagent doctor`.
 */
export async function kernelAnswers(lookup: SockDiagLookup): Promise<boolean> {
  const sockets: Socket[] = []
  const server = createServer((s) => void sockets.push(s))
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const client = connect(port, '127.0.0.1')
    sockets.push(client)
    await new Promise<void>((resolve, reject) => client.once('error', reject).once('connect', resolve))
    const entry = lookup({ address: '127.0.0.1', port: client.localPort! }, { address: '127.0.0.1', port })
    return entry !== undefined && entry.state === 1 && entry.inode > 0
  } catch {
    return false
  } finally {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
}
