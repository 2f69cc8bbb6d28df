/**
 * Which local user is on the other end of a loopback TCP connection (threat T5: terminal servers
 * share loopback between users, QZ Tray #734). Linux only: the kernel lists every socket of the
 * network namespace with its owner's uid in /proc/net/tcp and /proc/net/tcp6. The client's socket
 * is the entry whose local address is the peer's address:port and whose remote port is ours.
 */
import { readFile } from 'node:fs/promises'
import { endianness } from 'node:os'
import { canonicalIpAddress } from './ip-address.js'
import { parseProcNetTcp, TCP_STATES, type ProcNetTcpEntry } from './proc-net-tcp.js'

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'] as const

/**
 * The uid owning the client end of a loopback TCP connection, from /proc/net/tcp and
 * /proc/net/tcp6 (the client socket's local address is the peer's address:port, its remote the
 * agent's local port). Undefined when it cannot be told: not Linux, no such socket, or two
 * candidate sockets owned by different users. Callers refuse on undefined.
 *
 * @param readProc reads a /proc file as text; injected by tests, `fs.readFile` otherwise.
 */
export async function lookupPeerUid(
  peer: { address: string; port: number },
  localPort: number,
  readProc?: (path: string) => Promise<string>,
): Promise<number | undefined> {
  return (await lookupPeerSocket(peer, localPort, readProc))?.uid
}

/**
 * The client end of a loopback TCP connection: its owner's uid and its socket inode (the key to
 * the process holding it, agent/callers/linux). `inode` is undefined when two candidate sockets
 * of that user could be it; the whole answer is undefined as for {@link lookupPeerUid}.
 */
export async function lookupPeerSocket(
  peer: { address: string; port: number },
  localPort: number,
  readProc?: (path: string) => Promise<string>,
): Promise<{ uid: number; inode: number | undefined } | undefined> {
  if (readProc === undefined && process.platform !== 'linux') return undefined
  const read = readProc ?? ((path: string) => readFile(path, 'utf8'))
  const address = canonicalIpAddress(peer.address)
  if (address === undefined) return undefined
  // An IPv4 client of a dual-stack listener is seen as ::ffff:a.b.c.d but its own socket may be
  // listed in either table, so both are read; a table that is missing (IPv6 disabled) is empty.
  const texts = await Promise.all(TABLES.map((path) => read(path).catch(() => undefined)))
  if (texts.every((t) => t === undefined)) return undefined
  const byteOrder = endianness()
  const uids = new Set<number>()
  const inodes = new Set<number>()
  for (const text of texts) {
    if (text === undefined) continue
    for (const entry of parseProcNetTcp(text, byteOrder)) {
      if (isClientSocket(entry, address, peer.port, localPort)) {
        uids.add(entry.uid)
        inodes.add(entry.inode)
      }
    }
  }
  // Linux may reuse one ephemeral port for connections to different destinations, and only the
  // port of our end is known here; if such sockets belong to different users, the answer is
  // not known and the caller refuses.
  if (uids.size !== 1) return undefined
  const inode = inodes.size === 1 ? [...inodes][0]! : undefined
  return { uid: [...uids][0]!, inode }
}

/** One connection to look up by its whole 4-tuple (addresses as the socket reports them). */
export interface FourTuple {
  address: string
  port: number
  localAddress: string
  localPort: number
}

/**
 * With our end's address known too, the client socket is the one whose local end is the peer and
 * whose remote end is exactly ours: a full 4-tuple, which the kernel lets one connection have
 * (connect(2) refuses a second, EADDRNOTAVAIL). So the first match answers, and the tables are
 * read one at a time, IPv4's first when any connection is IPv4 (an IPv4 client of a dual-stack
 * listener may sit in either), the second only for connections the first did not list: reading a
 * table walks the kernel's whole socket hash, some milliseconds each, which a fresh connection
 * waits for; with `sockDiag` (the kernel's exact lookup, one hash lookup) the tables are read only
 * for a tuple it did not answer. Several connections are answered from the same reads
 * (agent/callers/linux shares one round among the connections accepted meanwhile). The answer maps each tuple given to its
 * socket; a tuple not found is left out.
 */
export async function lookupClientSockets(tuples: readonly FourTuple[], options: ClientSocketLookupOptions = {}): Promise<Map<FourTuple, { uid: number; inode: number }>> {
  const { readProc, sockDiag } = options
  const found = new Map<FourTuple, { uid: number; inode: number }>()
  if (readProc === undefined && sockDiag === undefined && process.platform !== 'linux') return found
  const read = readProc ?? ((path: string) => readFile(path, 'utf8'))
  let left = tuples.flatMap((tuple) => {
    const address = canonicalIpAddress(tuple.address)
    const localAddress = canonicalIpAddress(tuple.localAddress)
    return address === undefined || localAddress === undefined ? [] : [{ tuple, address, localAddress }]
  })
  // The kernel's exact lookup first; its answer is checked as a table's line is. What it does not
  // answer (no tcp_diag in the kernel, a socket already gone) is looked for in the tables, so with
  // `sockDiag` every tuple the tables find is one the kernel missed.
  if (sockDiag) {
    left = left.filter((q) => {
      const entry = sockDiag({ address: q.address, port: q.tuple.port }, { address: q.localAddress, port: q.tuple.localPort })
      const match = entry !== undefined && isClientSocketOf(entry, q)
      if (match) found.set(q.tuple, { uid: entry.uid, inode: entry.inode })
      return !match
    })
  }
  const order = left.some((q) => q.address.includes('.')) ? TABLES : ([...TABLES].reverse() as string[])
  const byteOrder = endianness()
  for (const path of order) {
    if (left.length === 0) break
    const text = await read(path).catch(() => undefined)
    if (text === undefined) continue
    const entries = parseProcNetTcp(text, byteOrder)
    left = left.filter((q) => {
      const entry = entries.find((e) => isClientSocketOf(e, q))
      if (entry) {
        found.set(q.tuple, { uid: entry.uid, inode: entry.inode })
        if (sockDiag) options.onKernelMiss?.()
      }
      return !entry
    })
  }
  return found
}

/** Options of {@link lookupClientSockets}. */
export interface ClientSocketLookupOptions {
  /** Reads /proc/net/tcp and /proc/net/tcp6 as text; injected by tests, `fs.readFile` otherwise. */
  readProc?: (path: string) => Promise<string>
  /** The kernel's exact lookup of a 4-tuple (agent/callers/linux/sock-diag.ts), tried before the tables. */
  sockDiag?: SockDiagLookup
  /** Called for each socket the tables listed that `sockDiag` did not find (the kernel cannot answer). */
  onKernelMiss?: () => void
}

/**
 * The socket the kernel finds for a local end and a remote end (addresses in canonical text), as a
 * table's entry; undefined when it knows none or could not be asked. The kernel looks up as for a
 * packet arriving at `local` from `remote`, so the answer may be a listener on `local` or a
 * remnant of a closed connection: {@link lookupClientSockets} checks it as it checks a table line.
 */
export type SockDiagLookup = (local: { address: string; port: number }, remote: { address: string; port: number }) => ProcNetTcpEntry | undefined

function isClientSocketOf(entry: ProcNetTcpEntry, q: { address: string; localAddress: string; tuple: FourTuple }): boolean {
  return isClientSocket(entry, q.address, q.tuple.port, q.tuple.localPort) && entry.remote.address === q.localAddress
}

function isClientSocket(entry: ProcNetTcpEntry, address: string, port: number, localPort: number): boolean {
  // Only a socket a process still holds has an inode. Everything else the kernel lists is a
  // remnant with no owner to trust: a TIME_WAIT minisocket, shown as TIME_WAIT or as FIN_WAIT2
  // (its substate) with uid 0; a request socket (SYN_RECV) with uid 0 or the listener's; an
  // orphan its program has closed (Linux net/ipv4/tcp_ipv4.c get_timewait4_sock, get_openreq4;
  // net/ipv4/inet_diag.c inet_twsk_diag_fill, inet_req_diag_fill; sock_i_ino is 0 without a
  // socket file). Trusting one would let a client that sent its request and closed pass as root's.
  // A LISTEN socket is not a client.
  if (entry.inode === 0 || entry.state === TCP_STATES.TIME_WAIT || entry.state === TCP_STATES.NEW_SYN_RECV || entry.state === TCP_STATES.LISTEN) return false
  return entry.local.port === port && entry.remote.port === localPort && entry.local.address === address
}
