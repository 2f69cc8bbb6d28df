/**
 * The few file-system reads the Linux lookups make in /proc, synchronous and never throwing
 * (undefined when a process has gone or is not ours to read). Injected, so the parsing and the
 * search are tested on recorded /proc contents.
 *
 * Synchronous on purpose: a lookup reads a few hundred tiny /proc entries, and each one sent
 * through libuv's thread pool costs more than the read itself (measured: about 35 ms async
 * against 6 ms sync for 700 descriptors) — and that pool is the one RSA signing runs on. The
 * search yields to the event loop between processes instead (find-socket-holders.ts).
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'

export interface ProcFs {
  /** Entry names of a directory. */
  listDir(path: string): string[] | undefined
  /** Target of a symbolic link (`socket:[12345]`, `/usr/bin/curl`). */
  readLink(path: string): string | undefined
  /**
   * The targets of a process's open descriptors (`/proc/<pid>/fd/*`); undefined when that folder
   * cannot be listed. A descriptor closed meanwhile is left out.
   */
  descriptorLinks(pid: string): string[] | undefined
  /** A file as text (latin1, so NUL separators and any byte survive). */
  readFile(path: string): string | undefined
  /** The uid owning a path (`/proc/<pid>` is owned by the process's effective uid). */
  ownerUid(path: string): number | undefined
}

/** The real /proc. */
export const systemProcFs: ProcFs = {
  listDir: (path) => attempt(() => readdirSync(path)),
  readLink: (path) => attempt(() => readlinkSync(path)),
  descriptorLinks: (pid) => readDescriptorLinks(pid, readdirSync, readlinkSync),
  readFile: (path) => attempt(() => readFileSync(path, 'latin1')),
  ownerUid: (path) => attempt(() => statSync(path).uid),
}

/**
 * {@link ProcFs.descriptorLinks} with the two system calls given. It stops at the first link the
 * kernel refuses to show: every descriptor of a process is guarded by the same check, ptrace
 * access mode PTRACE_MODE_READ_FSCREDS on the process (proc(5), /proc/[pid]/fd; Linux
 * fs/proc/base.c, proc_fd_access_allowed), so after one EACCES the others would each fail the
 * same way. In a container whose uid 0 may list the host's init's descriptors but not read them,
 * that one process cost 300 thrown errors per lookup (measured: the pass over /proc took 3.6 ms,
 * 1.3 ms with the stop). A link that is gone (ENOENT: closed since the listing) is only skipped.
 */
export function readDescriptorLinks(pid: string, listDir: (path: string) => string[], readLink: (path: string) => string): string[] | undefined {
  const folder = `/proc/${pid}/fd`
  const fds = attempt(() => listDir(folder))
  if (fds === undefined) return undefined
  const links: string[] = []
  for (const fd of fds) {
    try {
      links.push(readLink(`${folder}/${fd}`))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') break
    }
  }
  return links
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}
