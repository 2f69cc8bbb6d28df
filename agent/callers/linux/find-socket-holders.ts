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

/** Options of {@link findAllSocketHolders}. */
export interface FindSocketHoldersOptions {
  procFs: ProcFs
  /** Give the event loop a turn (setImmediate); called every `sliceMs` of scanning. */
  yieldTurn: () => Promise<void>
  /** How long to scan before yielding; default 2 ms. */
  sliceMs?: number
  /** A monotonic clock in ms (performance.now). */
  now: () => number
}

/** A process holding a socket, with its owner (undefined when /proc did not say). */
export interface SocketHolder {
  pid: number
  uid: number | undefined
}

/**
 * Every socket held by a process this user may read, by inode, on one pass over /proc. It needs
 * no inode to start with, so a lookup runs it while /proc/net/tcp is read (the two waits overlap)
 * and several lookups share one pass; {@link holdersOf} then picks a socket's holders.
 */
export async function findAllSocketHolders(options: FindSocketHoldersOptions): Promise<Map<number, SocketHolder[]>> {
  const { procFs } = options
  const sliceMs = options.sliceMs ?? 2
  const pids = (procFs.listDir('/proc') ?? []).filter((name) => /^[1-9][0-9]*$/.test(name))
  const holders = new Map<number, SocketHolder[]>()
  let sliceStart = options.now()
  for (const pid of pids) {
    const links = procFs.descriptorLinks(pid)
    if (links !== undefined) {
      const holder: SocketHolder = { pid: Number(pid), uid: procFs.ownerUid(`/proc/${pid}`) }
      for (const link of links) {
        if (!link.startsWith('socket:[')) continue
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

/**
 * The pids holding socket `inode`, in ascending order: with `uid` (the socket's owner, as
 * /proc/net/tcp says), only that user's processes; a process of another user holding it does not
 * make it theirs.
 */
export function holdersOf(all: ReadonlyMap<number, readonly SocketHolder[]>, inode: number, uid?: number): number[] {
  return (all.get(inode) ?? [])
    .filter((h) => uid === undefined || h.uid === uid)
    .map((h) => h.pid)
    .sort((a, b) => a - b)
}
