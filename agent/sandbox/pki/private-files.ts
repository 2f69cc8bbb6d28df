/**
 * Files that hold keys: directories 0700 and files 0600, set explicitly because the process umask
 * may be looser (and `mkdir`'s mode is filtered by it). On Windows the modes are advisory only.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/**
 * Create `path` (and missing parents) and make it 0700. Only for directories the sandbox owns:
 * a caller's state directory is created 0700 when missing but never chmod-ed, since it may be
 * shared (a tmp dir, a home directory).
 */
export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE })
  await chmod(path, PRIVATE_DIR_MODE)
}

/** Write a new file 0600 in an existing directory; refuses to overwrite (flag `wx`). */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data, { mode: PRIVATE_FILE_MODE, flag: 'wx' })
  await chmod(path, PRIVATE_FILE_MODE)
}
