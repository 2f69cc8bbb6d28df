/**
 * Reading privacy-log files from the end: `audit.list` wants the newest records first and
 * usually only a few of them, so a file is read backwards in chunks and a reader stops as soon
 * as it has enough. Lines are split on the byte 0x0A, which never occurs inside a UTF-8
 * multi-byte sequence (RFC 3629 §3), so a chunk boundary cannot cut a character in two lines.
 */
import type { FileHandle } from 'node:fs/promises'

const NEWLINE = 0x0a
const CHUNK_BYTES = 64 * 1024
/** Every stored line starts like this (sanitizeRecord puts `time` first). */
const TIME_PREFIX = Buffer.from('{"time":"')
/** `Date.prototype.toISOString` for years 0000–9999: 2025-03-01T10:00:01.000Z. */
const ISO_LENGTH = 24

/** The lines of `data`, last first; empty lines are skipped. */
export function* linesBackward(data: Buffer): Generator<string> {
  let end = data.length
  while (end > 0) {
    const newline = data.lastIndexOf(NEWLINE, end - 1)
    if (newline < end - 1) yield data.toString('utf8', newline + 1, end)
    end = newline < 0 ? 0 : newline
  }
}

/** The lines of the first `size` bytes of an open file, last first, read in chunks from the end. */
export async function* fileLinesBackward(handle: FileHandle, size: number, chunkBytes = CHUNK_BYTES): AsyncGenerator<string> {
  let position = size
  // The start of a line whose beginning lies in a chunk not read yet.
  let carry: Buffer = Buffer.alloc(0)
  while (position > 0) {
    const length = Math.min(chunkBytes, position)
    position -= length
    const chunk = Buffer.allocUnsafe(length)
    let read = 0
    while (read < length) {
      const { bytesRead } = await handle.read(chunk, read, length - read, position + read)
      if (bytesRead === 0) throw new Error('the privacy-log file is shorter than expected')
      read += bytesRead
    }
    const data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk
    const first = data.indexOf(NEWLINE)
    if (first < 0) {
      carry = data
      continue
    }
    // Everything after the first newline of this chunk is whole lines.
    yield* linesBackward(data.subarray(first + 1))
    carry = Buffer.from(data.subarray(0, first))
  }
  if (carry.length > 0) yield carry.toString('utf8')
}

/**
 * The time of the stored line `data[start, end)`: read from its first bytes when it starts as
 * our records do, else (a line written by hand or by another tool) from the parsed line; NaN
 * when it has none.
 */
export function lineTime(data: Buffer, start: number, end: number): number {
  if (end - start >= TIME_PREFIX.length + ISO_LENGTH && data.compare(TIME_PREFIX, 0, TIME_PREFIX.length, start, start + TIME_PREFIX.length) === 0) {
    const from = start + TIME_PREFIX.length
    const time = Date.parse(data.toString('latin1', from, from + ISO_LENGTH))
    if (!Number.isNaN(time)) return time
  }
  try {
    const value = JSON.parse(data.toString('utf8', start, end)) as { time?: unknown }
    return typeof value?.time === 'string' ? Date.parse(value.time) : Number.NaN
  } catch {
    return Number.NaN
  }
}

/** The oldest and newest record times in JSONL `data`, and how many lines carry one. */
export function recordTimeRange(data: Buffer): { oldest: number; newest: number; records: number } {
  let oldest = Number.POSITIVE_INFINITY
  let newest = Number.NEGATIVE_INFINITY
  let records = 0
  let start = 0
  while (start < data.length) {
    const newline = data.indexOf(NEWLINE, start)
    const end = newline < 0 ? data.length : newline
    // A torn last line (no newline) is not a record.
    if (newline >= 0) {
      const time = lineTime(data, start, end)
      if (!Number.isNaN(time)) {
        records++
        if (time < oldest) oldest = time
        if (time > newest) newest = time
      }
    }
    start = end + 1
  }
  return { oldest, newest, records }
}
