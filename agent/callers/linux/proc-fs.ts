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
  /** A file as text (latin1, so NUL separators and any byte survive). */
  readFile(path: string): string | undefined
  /** The uid owning a path (`/proc/<pid>` is owned by the process's effective uid). */
  ownerUid(path: string): number | undefined
}

/** The real /proc. */
export const systemProcFs: ProcFs = {
  listDir: (path) => attempt(() => readdirSync(path)),
  readLink: (path) => attempt(() => readlinkSync(path)),
  readFile: (path) => attempt(() => readFileSync(path, 'latin1')),
  ownerUid: (path) => attempt(() => statSync(path).uid),
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}
