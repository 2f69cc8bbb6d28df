import { open } from 'node:fs/promises'

/**
 * Make a directory's entries durable: after a file is created or renamed, fsync on the file alone
 * does not make its name survive a crash; the directory must be synced too (POSIX.1-2017 fsync(),
 * rationale; Linux fsync(2): "Calling fsync() does not necessarily ensure that the entry in the
 * directory containing the file has also reached disk"). Windows cannot open a directory for this
 * and journals names itself: there it is a no-op.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
  } catch (err) {
    if (isUnsupported(err)) return
    throw err
  }
  try {
    await handle.sync()
  } catch (err) {
    if (!isUnsupported(err)) throw err
  } finally {
    await handle.close()
  }
}

function isUnsupported(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'EISDIR' || code === 'EPERM' || code === 'EACCES' || code === 'EINVAL' || code === 'ENOTSUP'
}
