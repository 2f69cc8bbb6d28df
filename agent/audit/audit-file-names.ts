/**
 * The privacy log's file names. The live file is `audit.jsonl`; a rotated file is named by its
 * sequence number and the times of its oldest and newest record, so that listing, pruning by
 * age and skipping files outside a time range need only the directory, not the files:
 *
 *   audit-00000042-20250301T100001000Z-20250309T174500250Z.jsonl      (just rotated)
 *   audit-00000042-20250301T100001000Z-20250309T174500250Z.jsonl.gz   (compressed, RFC 1952)
 *
 * The time format is ISO 8601's basic format (no ':' so the names are valid on Windows too).
 * `audit.N.jsonl` are the numbered files of earlier versions (1 = newest), migrated at start.
 */

export const LIVE_FILE = 'audit.jsonl'
const TEMP_SUFFIX = '.tmp'
const ROTATED = /^audit-(\d{8,})-(\d{8}T\d{9}Z)-(\d{8}T\d{9}Z)\.jsonl(\.gz)?$/
const LEGACY = /^audit\.(\d{1,6})\.jsonl$/
const BASIC_TIME = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z$/

/** A rotated file, as its name describes it. Times in ms since the epoch. */
export interface RotatedFileName {
  seq: number
  oldest: number
  newest: number
  compressed: boolean
}

export type AuditFileKind =
  | { kind: 'live' }
  | ({ kind: 'rotated' } & RotatedFileName)
  | { kind: 'legacy'; index: number }
  /** A compressed file being written when the agent stopped: never complete, always removed. */
  | { kind: 'temp' }

/** What a directory entry is, or undefined when it is not one of ours (left alone, not counted). */
export function classifyAuditFile(name: string): AuditFileKind | undefined {
  if (name === LIVE_FILE) return { kind: 'live' }
  if (name.startsWith('audit-') && name.endsWith(TEMP_SUFFIX)) return { kind: 'temp' }
  const rotated = ROTATED.exec(name)
  if (rotated) {
    const oldest = parseBasicTime(rotated[2]!)
    const newest = parseBasicTime(rotated[3]!)
    if (oldest === undefined || newest === undefined) return undefined
    return { kind: 'rotated', seq: Number(rotated[1]), oldest, newest, compressed: rotated[4] !== undefined }
  }
  const legacy = LEGACY.exec(name)
  if (legacy) return { kind: 'legacy', index: Number(legacy[1]) }
  return undefined
}

/** The name of a rotated file. */
export function rotatedFileName(file: RotatedFileName): string {
  return `audit-${String(file.seq).padStart(8, '0')}-${basicTime(file.oldest)}-${basicTime(file.newest)}.jsonl${file.compressed ? '.gz' : ''}`
}

/** Where a compressed file is written before it is complete. */
export function tempFileName(finalName: string): string {
  return finalName + TEMP_SUFFIX
}

function basicTime(ms: number): string {
  // Out-of-range times (a broken clock) are clamped so the name stays valid.
  const clamped = Math.min(Math.max(Number.isFinite(ms) ? ms : 0, 0), Date.UTC(9999, 11, 31, 23, 59, 59, 999))
  return new Date(clamped).toISOString().replace(/[-:.]/g, '')
}

function parseBasicTime(text: string): number | undefined {
  const m = BASIC_TIME.exec(text)
  if (!m) return undefined
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]))
  // Date.UTC rolls month 13 into the next year: only a time that formats back to the text is one.
  return Number.isNaN(ms) || basicTime(ms) !== text ? undefined : ms
}
