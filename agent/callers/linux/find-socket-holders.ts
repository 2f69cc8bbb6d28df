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
  const { procFs } = options
  const target = `socket:[${inode}]`
  const sliceMs = options.sliceMs ?? 2
  const pids = (procFs.listDir('/proc') ?? []).filter((name) => /^[1-9][0-9]*$/.test(name))
  const holders: number[] = []
  let sliceStart = options.now()
  for (const pid of pids) {
    const fds = options.uid === undefined || procFs.ownerUid(`/proc/${pid}`) === options.uid ? procFs.listDir(`/proc/${pid}/fd`) : undefined
    if (fds !== undefined) {
      for (const fd of fds) {
        if (procFs.readLink(`/proc/${pid}/fd/${fd}`) === target) {
          holders.push(Number(pid))
          break
        }
      }
    }
    if (options.now() - sliceStart >= sliceMs) {
      await options.yieldTurn()
      sliceStart = options.now()
    }
  }
  return holders.sort((a, b) => a - b)
}
