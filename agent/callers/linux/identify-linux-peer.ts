/**
 * The Linux way to the program behind a connection (one optional native addon, sock_diag, only
 * makes the socket lookups faster):
 *
 * - TCP: the client's socket, by the kernel's sock_diag lookup or in /proc/net/tcp{,6} (its uid
 *   and inode, agent/http/peer-uid.ts), then the process holding that inode
 *   (find-socket-holders.ts);
 * - Unix socket: our end's inode from `/proc/self/fd/<fd>`, the peer's inode from the kernel's
 *   sock_diag (sock-diag.ts) or else from `ss -xnH` (parse-ss-unix.ts), then the process holding
 *   that;
 * - then the executable, command line and owner from /proc (read-linux-process.ts).
 *
 * When several processes hold the socket and they are not the same executable, the program is
 * left unknown rather than guessed: a program must not pass as the child it handed its socket to.
 */
import { userInfo } from 'node:os'
import { lookupClientSockets, lookupPeerSocket, type FourTuple, type SockDiagLookup } from '../../http/peer-uid.js'
import { loadSockDiag, loadUnixPeerLookup, type UnixPeerLookup } from './sock-diag.js'
import type { CallerProgram, PeerConnection, PeerFacts, PeerIdentifier } from '../caller-program.js'
import { runSystemTool, type RunTool } from '../run-tool.js'
import { findAllSocketHolders, holdersOf, type SocketHolder } from './find-socket-holders.js'
import { createNextRounds } from './next-rounds.js'
import { parsePasswd, readLinuxProcess } from './read-linux-process.js'
import { findUnixPeerInode } from './parse-ss-unix.js'
import { systemProcFs, type ProcFs } from './proc-fs.js'

/** Options of {@link createLinuxPeerIdentifier}; every side effect injectable. */
export interface LinuxPeerOptions {
  procFs?: ProcFs
  /** Reads /proc/net/tcp and /proc/net/tcp6. */
  readProcText?: (path: string) => Promise<string>
  /** The kernel's exact socket lookup, tried before the tables; default the package's addon, null for none. */
  sockDiag?: SockDiagLookup | null
  /** The kernel's Unix-socket peer lookup, tried before `ss`; default the package's addon, null for none. */
  unixPeer?: UnixPeerLookup | null
  runTool?: RunTool
  /** uid → login name; default: this user's own name for its uid, /etc/passwd for others. */
  userName?: (uid: number) => string | undefined
  yieldTurn?: () => Promise<void>
  now?: () => number
}

/**
 * How many sockets the tables may list that the kernel's exact lookup did not find before it is
 * no longer asked. More than one: a client bound to a device (SO_BINDTODEVICE) is not found by a
 * lookup made for no device, and one such client should not cost everyone the fast lookup.
 */
const KERNEL_MISSES_BEFORE_GIVING_UP = 3

export function createLinuxPeerIdentifier(options: LinuxPeerOptions = {}): PeerIdentifier {
  const procFs = options.procFs ?? systemProcFs
  const runTool = options.runTool ?? runSystemTool
  const userName = options.userName ?? systemUserName(procFs)
  let sockDiag = options.sockDiag === undefined ? loadSockDiag() : (options.sockDiag ?? undefined)
  const unixPeer = options.unixPeer === undefined ? loadUnixPeerLookup() : (options.unixPeer ?? undefined)
  // A kernel without the tcp_diag handler answers every exact lookup "no such socket" (after trying
  // to load the module each time: inet_diag_lock_handler). Once the tables have listed sockets it
  // did not find, it is asked no more: the tables alone give the same answers.
  let kernelMisses = 0
  const onKernelMiss = () => {
    if (++kernelMisses >= KERNEL_MISSES_BEFORE_GIVING_UP) sockDiag = undefined
  }
  const scan = {
    procFs,
    yieldTurn: options.yieldTurn ?? (() => new Promise<void>((resolve) => setImmediate(resolve))),
    now: options.now ?? (() => performance.now()),
  }

  // Connections accepted while a lookup runs share the next one (next-rounds.ts): one read of the
  // socket tables and one pass over /proc for a burst of connections, not one per connection.
  const tuples = new Map<string, FourTuple>()
  const socketRounds = createNextRounds<string, { uid: number; inode: number | undefined } | undefined>(async (keys) => {
    const asked = [...keys].map((key) => tuples.get(key)!)
    for (const key of keys) tuples.delete(key)
    const found = await lookupClientSockets(asked, { readProc: options.readProcText, sockDiag, onKernelMiss })
    return new Map([...keys].map((key, i) => [key, found.get(asked[i]!)]))
  }, undefined)
  const holderRounds = createNextRounds<'all', Map<number, SocketHolder[]>>(async () => new Map([['all', await findAllSocketHolders(scan)]]), new Map())

  /** `pass`: a pass over /proc already under way for this lookup; else one is asked for now. */
  async function programHolding(inode: number, uid?: number, pass: Promise<Map<number, SocketHolder[]>> = holderRounds.ask('all')): Promise<CallerProgram | undefined> {
    const holders = holdersOf(await pass, inode, uid)
    const programs = holders.map((pid) => readLinuxProcess(pid, procFs, userName)).filter((p): p is CallerProgram => p !== undefined)
    if (programs.length === 0 || new Set(programs.map((p) => p.executable)).size !== 1) return undefined
    return programs[0]
  }

  async function identifyTcp(connection: PeerConnection & { kind: 'tcp' }): Promise<PeerFacts> {
    let socket: { uid: number; inode: number | undefined } | undefined
    // With the 4-tuple, the pass over /proc starts with the table read, not after it: the read
    // waits in the threadpool while the pass runs here, and the lookup costs the longer of the two.
    let pass: Promise<Map<number, SocketHolder[]>> | undefined
    if (connection.localAddress === undefined) {
      socket = await lookupPeerSocket({ address: connection.address, port: connection.port }, connection.localPort, options.readProcText)
    } else {
      const key = `${connection.address} ${connection.port} ${connection.localAddress} ${connection.localPort}`
      tuples.set(key, { address: connection.address, port: connection.port, localAddress: connection.localAddress, localPort: connection.localPort })
      pass = holderRounds.ask('all')
      socket = await socketRounds.ask(key)
    }
    if (socket === undefined) return {}
    const program = socket.inode === undefined ? undefined : await programHolding(socket.inode, socket.uid, pass)
    return program ? { uid: socket.uid, program } : { uid: socket.uid }
  }

  async function identifyUnix(connection: PeerConnection & { kind: 'unix' }): Promise<PeerFacts> {
    const fd = socketFd(connection.socket)
    if (fd === undefined) return {}
    const own = /^socket:\[(\d+)\]$/.exec(procFs.readLink(`/proc/self/fd/${fd}`) ?? '')
    if (!own) return {}
    const ownInode = Number(own[1])
    // The kernel's answer when it gives one (0: no peer); `ss` lists every Unix socket otherwise.
    const peerInode = unixPeer?.(ownInode) ?? (await peerInodeFromSs(ownInode))
    if (!peerInode) return {}
    const program = await programHolding(peerInode)
    if (!program) return {}
    return program.uid === undefined ? { program } : { uid: program.uid, program }
  }

  async function peerInodeFromSs(ownInode: number): Promise<number | undefined> {
    const listing = await runTool('ss', ['-xnH'], { timeoutMs: 3000 }).catch(() => undefined)
    return listing === undefined ? undefined : findUnixPeerInode(listing, ownInode)
  }

  return {
    async identify(connection) {
      try {
        return connection.kind === 'tcp' ? await identifyTcp(connection) : await identifyUnix(connection)
      } catch {
        return {}
      }
    },
  }
}

/**
 * The descriptor of a Node socket. Node documents none, but every libuv stream handle carries its
 * `fd` on POSIX (`socket._handle.fd`, src/stream_wrap.cc); anything else means "not known".
 */
export function socketFd(socket: object): number | undefined {
  const fd = (socket as { _handle?: { fd?: unknown } })._handle?.fd
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined
}

/** This user's own name through the system (NSS: LDAP users too), /etc/passwd for any other uid. */
function systemUserName(procFs: ProcFs): (uid: number) => string | undefined {
  const own = (() => {
    try {
      const info = userInfo()
      return { uid: info.uid, name: info.username }
    } catch {
      return undefined
    }
  })()
  let passwd: Map<number, string> | undefined
  return (uid) => {
    if (own && own.uid === uid) return own.name
    passwd ??= parsePasswd(procFs.readFile('/etc/passwd') ?? '')
    return passwd.get(uid)
  }
}
