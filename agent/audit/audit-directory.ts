/**
 * The privacy log's folder as the log finds it at start (and again when it looks for room):
 * which files are rotated ones, which are of earlier versions, which are leftovers of a crash;
 * and the live file, opened for appending and reading.
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { classifyAuditFile, LIVE_FILE, type RotatedFileName } from './audit-file-names.js'
import { liveFileFlags } from './durable-append.js'
import { recordTimeRange } from './read-lines.js'
import { syncDirectory } from './sync-directory.js'

const FILE_MODE = 0o600

/** The live file, open for appending and reading. */
export interface LiveFile {
  handle: FileHandle
  /** Opened O_DSYNC: a write is durable when it returns (agent/audit/durable-append.ts). */
  synced: boolean
  /** Bytes written and synced: what readers may read. */
  bytes: number
  oldest: number
  newest: number
  records: number
  /** It ends in a torn line (a crash mid-write): the next write starts with a newline. */
  needsNewline: boolean
  /** Lists reading it now; a rotated-away handle is closed when the last one is done. */
  readers: number
  retired: boolean
}

export interface RotatedFile extends RotatedFileName {
  name: string
  bytes: number
}

/**
 * The directory as the log finds it: rotated files (one per sequence number: when both the plain
 * and the compressed file exist, the compression completed and the plain one is a leftover),
 * files of earlier versions, and leftovers to remove.
 */
export async function scanDirectory(dir: string): Promise<{ rotated: RotatedFile[]; legacy: { name: string; index: number }[]; leftovers: string[] }> {
  const names = await readdir(dir)
  const bySeq = new Map<number, RotatedFile>()
  const legacy: { name: string; index: number }[] = []
  const leftovers: string[] = []
  for (const name of names) {
    const kind = classifyAuditFile(name)
    if (!kind) continue
    if (kind.kind === 'temp') leftovers.push(name)
    else if (kind.kind === 'legacy') legacy.push({ name, index: kind.index })
    else if (kind.kind === 'rotated') {
      let bytes: number
      try {
        bytes = (await stat(join(dir, name))).size
      } catch (err) {
        if (isNotFound(err)) continue
        throw err
      }
      const file: RotatedFile = { seq: kind.seq, oldest: kind.oldest, newest: kind.newest, compressed: kind.compressed, name, bytes }
      const other = bySeq.get(kind.seq)
      if (other) {
        const [keep, drop] = file.compressed ? [file, other] : [other, file]
        leftovers.push(drop.name)
        bySeq.set(kind.seq, keep)
      } else bySeq.set(kind.seq, file)
    }
  }
  return { rotated: [...bySeq.values()].sort((a, b) => a.seq - b.seq), legacy, leftovers }
}

/**
 * Open `audit.jsonl` for appending and reading (created 0600 when missing, its name synced;
 * O_DSYNC when `synced`);
 * learn its size, its records' time range and whether it ends in a torn line. A file left by an
 * earlier run, or created under a looser umask, is made 0600.
 */
export async function openLiveFile(dir: string, synced: boolean): Promise<LiveFile> {
  const path = join(dir, LIVE_FILE)
  let handle: FileHandle
  let created = true
  try {
    handle = await open(path, liveFileFlags(true, synced), FILE_MODE)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    created = false
    handle = await open(path, liveFileFlags(false, synced), FILE_MODE)
  }
  try {
    await handle.chmod(FILE_MODE)
    if (created) {
      await syncDirectory(dir)
      return { handle, synced, bytes: 0, oldest: Number.POSITIVE_INFINITY, newest: Number.NEGATIVE_INFINITY, records: 0, needsNewline: false, readers: 0, retired: false }
    }
    const { size } = await handle.stat()
    const data = Buffer.allocUnsafe(size)
    let read = 0
    while (read < size) {
      const { bytesRead } = await handle.read(data, read, size - read, read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    const range = recordTimeRange(data.subarray(0, read))
    return {
      handle,
      synced,
      bytes: read,
      oldest: range.oldest,
      newest: range.newest,
      records: range.records,
      // A line torn by a crash would swallow the next record; end it so only the torn one is lost.
      needsNewline: read > 0 && data[read - 1] !== 0x0a,
      readers: 0,
      retired: false,
    }
  } catch (err) {
    await handle.close().catch(() => undefined)
    throw err
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}
