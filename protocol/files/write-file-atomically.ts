/**
 * Replacing a file so that a reader, a crash or a power cut sees the old content or the new, never
 * a mix: the one way the agent, the installer and the browser extension's host write state.
 *
 * protocol/ does no I/O of its own, so the file system is the caller's: `node:fs/promises`
 * satisfies {@link AtomicWriteFileSystem} as it is.
 *
 * @module
 */
import { basename, dirname, join } from 'node:path'

/** The calls {@link writeFileAtomically} makes; `node:fs/promises` is one. */
export interface AtomicWriteFileSystem {
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<string | undefined>
  mkdtemp(prefix: string): Promise<string>
  chmod(path: string, mode: number): Promise<void>
  open(path: string, flags: string, mode?: number): Promise<AtomicWriteFileHandle>
  rename(oldPath: string, newPath: string): Promise<void>
  rm(path: string, options: { recursive: true; force: true }): Promise<void>
  readdir(path: string): Promise<string[]>
  stat(path: string): Promise<{ mtimeMs: number }>
}

/** The calls made on an open file (`FileHandle` of `node:fs/promises`). */
export interface AtomicWriteFileHandle {
  writeFile(data: string | Uint8Array): Promise<void>
  chmod(mode: number): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

/** Options of {@link writeFileAtomically}. */
export interface WriteFileAtomicallyOptions {
  /** The file's mode, exactly (not filtered by the umask); default 0600, owner only. */
  mode?: number
  /** The mode of the parent directory when it has to be created; default 0700. An existing one is left alone. */
  dirMode?: number
}

/** A temporary directory left by a writer that died is removed once it is this much older than ours. */
const STALE_AFTER_MS = 10 * 60_000

/**
 * Write `data` to `path` atomically and durably:
 *
 * 1. the parent directory is created (`dirMode`) when missing;
 * 2. the data goes to a file of the exact `mode` inside a fresh private directory beside the
 *    target (`mkdtemp`: a name no concurrent writer shares, created 0700, so no one reads the
 *    partial file), and is fsynced — without this the rename could reach the disk before the
 *    data, leaving an empty file after a power cut;
 * 3. the file is renamed over `path`: readers see the old file or the new one (POSIX rename(2));
 * 4. the directory is fsynced, so the rename itself survives a power cut (a platform that cannot
 *    open a directory, Windows, skips this step);
 * 5. temporary directories of this target left by a writer that died are removed.
 *
 * On any failure before the rename `path` is untouched and the temporary directory is removed;
 * the error is the file system's own.
 *
 * @example
 * ```ts
 * import * as fs from 'node:fs/promises'
 * await writeFileAtomically(fs, paths.clientsFile, JSON.stringify(clients))          // 0600
 * await writeFileAtomically(fs, unitFile, unitText, { mode: 0o644 })
 * ```
 */
export async function writeFileAtomically(fs: AtomicWriteFileSystem, path: string, data: string | Uint8Array, options: WriteFileAtomicallyOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600
  const dir = dirname(path)
  const prefix = `.${basename(path)}.tmp-`
  // mkdir's mode passes through the umask: a directory made here is made private explicitly.
  if ((await fs.mkdir(dir, { recursive: true, mode: options.dirMode ?? 0o700 })) !== undefined) await fs.chmod(dir, options.dirMode ?? 0o700)

  const tempDir = await fs.mkdtemp(join(dir, prefix))
  try {
    const temp = join(tempDir, basename(path))
    const handle = await fs.open(temp, 'wx', mode)
    try {
      await handle.chmod(mode) // open's mode, too, passes through the umask
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(temp, path)
  } catch (error) {
    await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined)
    throw error
  }
  // Empty now; if it cannot go, a later write removes it as stale.
  const tempStat = await fs.stat(tempDir).catch(() => undefined)
  await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined)
  await syncDirectory(fs, dir)
  await removeStaleTemps(fs, dir, prefix, tempDir, tempStat?.mtimeMs)
}

/** fsync a directory, so a rename in it is on disk (POSIX fsync(2) on the directory). */
async function syncDirectory(fs: AtomicWriteFileSystem, dir: string): Promise<void> {
  let handle: AtomicWriteFileHandle
  try {
    handle = await fs.open(dir, 'r')
  } catch (error) {
    // Windows opens no directory (EISDIR, EPERM); its rename is as durable as it gets there.
    if (isCode(error, 'EISDIR', 'EPERM', 'EACCES')) return
    throw error
  }
  try {
    await handle.sync()
  } catch (error) {
    // Some file systems do not sync directories (EINVAL, ENOTSUP); the rename is done either way.
    if (!isCode(error, 'EINVAL', 'ENOTSUP', 'EBADF')) throw error
  } finally {
    await handle.close()
  }
}

/**
 * Remove temporary directories of this target that a writer left when it died (between mkdtemp
 * and rename). Their age is read from the file system's own clock against the one we just made,
 * so a concurrent writer's fresh directory is never taken; best effort, nothing here fails a write.
 */
async function removeStaleTemps(fs: AtomicWriteFileSystem, dir: string, prefix: string, ours: string, now: number | undefined): Promise<void> {
  if (now === undefined) return
  const names = await fs.readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    const path = join(dir, name)
    if (!name.startsWith(prefix) || path === ours) continue
    const stat = await fs.stat(path).catch(() => undefined)
    if (stat !== undefined && now - stat.mtimeMs > STALE_AFTER_MS) await fs.rm(path, { recursive: true, force: true }).catch(() => undefined)
  }
}

function isCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && codes.includes(code)
}
