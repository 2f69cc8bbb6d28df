import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { tempFileName } from './audit-file-names.js'
import { syncDirectory } from './sync-directory.js'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const FILE_MODE = 0o600

/**
 * Replace `dir/from` by its gzip form (RFC 1952) `dir/to`, so that no moment exists where the
 * records are in neither: the compressed file is written under a temporary name, checked by
 * decompressing it, synced, renamed into place and its directory synced; only then is the
 * original removed. A crash leaves the original (and perhaps a temporary file, removed at the
 * next start), or both complete files (the original is removed at the next start). zlib runs in
 * libuv's threadpool, off the event loop. Returns the compressed size.
 */
export async function compressFile(dir: string, from: string, to: string): Promise<number> {
  const plain = await readFile(join(dir, from))
  // Output chunks as large as the result: zlib hands each chunk to the event loop, and at the
  // default 16 KiB the check's 4 MiB came back as 256 callbacks and a copy, in the middle of
  // answering calls.
  const packed = await gzipAsync(plain, { chunkSize: chunkFor(plain.length / 4) })
  const check = await gunzipAsync(packed, { chunkSize: chunkFor(plain.length) })
  if (!check.equals(plain)) throw new Error(`compressing ${from} did not round-trip`)
  const temp = join(dir, tempFileName(to))
  const handle = await open(temp, 'w', FILE_MODE)
  try {
    await writeAll(handle, packed)
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await rename(temp, join(dir, to))
  await syncDirectory(dir)
  await unlink(join(dir, from))
  return packed.length
}

/** A zlib output chunk of about `bytes`, within zlib's bounds and at most 16 MiB. */
function chunkFor(bytes: number): number {
  return Math.min(16 * 1024 * 1024, Math.max(64 * 1024, Math.ceil(bytes)))
}

/** The records of a compressed file. */
export function decompress(data: Buffer): Promise<Buffer> {
  return gunzipAsync(data)
}

/** Write all of `data` at the handle's position (a write may take fewer bytes than offered). */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset)
    offset += bytesWritten
  }
}
