/**
 * Which processes hold a socket, by its inode: every `/proc/<pid>/fd/<n>` link of a socket reads
 * `socket:[<inode>]` (proc(5), /proc/[pid]/fd). There is no index from inode to process, so every
 * process's descriptors are read; without root only the user's own processes can be read, and
 * those are the only ones the agent serves anyway (threat T5).
 *
 * The whole table is read, not stopped at the first holder: a socket may be shared (inherited
 * over fork, passed over SCM_RIGHTS), and a program that handed its socket to a child running
 * another executable must not pass as that child (lookup-linux-peer.ts refuses to choose then).
 */
import type { ProcFs } from './proc-fs.js'

/** Options of {@link findSocketHolders}. */
export interface FindSocketHoldersOptions {
  procFs: ProcFs
  /** Give the event loop a turn (setImmediate); called every `sliceMs` of scanning. */
  yieldTurn: () => Promise<void>
  /** How long to scan before yielding; default 2 ms. */
  sliceMs?: number
  /** A monotonic clock in ms (performance.now). */
  now: () => number
  /**
   * The socket's owner, when known (/proc/net/tcp says it): only that user's processes are read.
   * An agent running as root would otherwise read every process's descriptors.
   */
  uid?: number
}

/** The pids holding socket `inode`, in ascending order (empty when none could be read). */
export async function findSocketHolders(inode: number, options: FindSocketHoldersOptions): Promise<number[]> {
  const { uid, ...scan } = options
  return (await findHoldersOfSockets(new Map([[inode, uid]]), scan)).get(inode) ?? []
}

/**
 * The holders of several sockets on one pass over /proc: `sockets` maps each inode to its
 * owner's uid (undefined: any user), and only processes of those users are read; a socket's
 * holders are the processes of its own owner (or any, for undefined), in ascending order.
 */
export async function findHoldersOfSockets(sockets: ReadonlyMap<number, number | undefined>, options: Omit<FindSocketHoldersOptions, 'uid'>): Promise<Map<number, number[]>> {
  const { procFs } = options
  const targets = new Map<string, number>()
  for (const inode of sockets.keys()) targets.set(`socket:[${inode}]`, inode)
  const uids = new Set(sockets.values())
  const anyUser = uids.has(undefined)
  const sliceMs = options.sliceMs ?? 2
  const pids = (procFs.listDir('/proc') ?? []).filter((name) => /^[1-9][0-9]*$/.test(name))
  const holders = new Map<number, number[]>([...sockets.keys()].map((inode) => [inode, []]))
  let sliceStart = options.now()
  for (const pid of pids) {
    const owner = anyUser && uids.size === 1 ? undefined : procFs.ownerUid(`/proc/${pid}`)
    const fds = anyUser || uids.has(owner) ? procFs.listDir(`/proc/${pid}/fd`) : undefined
    if (fds !== undefined) {
      let seen: Set<number> | undefined
      for (const fd of fds) {
        const inode = targets.get(procFs.readLink(`/proc/${pid}/fd/${fd}`) ?? '')
        if (inode === undefined || seen?.has(inode)) continue
        const uid = sockets.get(inode)
        if (uid !== undefined && owner !== uid) continue
        ;(seen ??= new Set()).add(inode)
        holders.get(inode)!.push(Number(pid))
        if (seen.size === targets.size) break
      }
    }
    if (options.now() - sliceStart >= sliceMs) {
      await options.yieldTurn()
      sliceStart = options.now()
    }
  }
  for (const list of holders.values()) list.sort((a, b) => a - b)
  return holders
}

/** A process holding a socket, with its owner (undefined when /proc did not say). */
export interface SocketHolder {
  pid: number
  uid: number | undefined
}

/**
 * Every socket held by a process this user may read, by inode, on one pass over /proc: for a
 * lookup that starts before it knows which socket it wants (it reads /proc/net/tcp meanwhile, so
 * the two waits overlap), and picks the holders of its socket's owner from the result.
 */
export async function findAllSocketHolders(options: Omit<FindSocketHoldersOptions, 'uid'>): Promise<Map<number, SocketHolder[]>> {
  const { procFs } = options
  const sliceMs = options.sliceMs ?? 2
  const pids = (procFs.listDir('/proc') ?? []).filter((name) => /^[1-9][0-9]*$/.test(name))
  const holders = new Map<number, SocketHolder[]>()
  let sliceStart = options.now()
  for (const pid of pids) {
    const fds = procFs.listDir(`/proc/${pid}/fd`)
    if (fds !== undefined) {
      const holder: SocketHolder = { pid: Number(pid), uid: procFs.ownerUid(`/proc/${pid}`) }
      for (const fd of fds) {
        const link = procFs.readLink(`/proc/${pid}/fd/${fd}`)
        if (link === undefined || !link.startsWith('socket:[')) continue
        const inode = Number(link.slice(8, -1))
        const list = holders.get(inode)
        if (list === undefined) holders.set(inode, [holder])
        else if (list[list.length - 1] !== holder) list.push(holder)
      }
    }
    if (options.now() - sliceStart >= sliceMs) {
      await options.yieldTurn()
      sliceStart = options.now()
    }
  }
  return holders
}
