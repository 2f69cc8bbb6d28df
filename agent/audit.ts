/**
 * The privacy log: one JSONL record per use of the HOK token and per login, logout and pairing
 * (seed 003 §1.5: "a privacy log containing the real identity of the caller every time the SAML
 * HOK token is used"). It records who, when, which client, which service and operation, which
 * token and the outcome; never a body, a PIN, a password or key material (threat T16, and T7:
 * nothing of a SOAP body is ever written to disk).
 */
import { access, appendFile, chmod, mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { AuditRecord } from '../protocol/rpc/methods.js'

export interface AuditLogOptions {
  dir: string
  clock: () => Date
  /** Rotate before a write would take `audit.jsonl` past this size; default 5 MiB. */
  maxFileBytes?: number
  /** Rotated files kept (`audit.1.jsonl` … `audit.N.jsonl`) besides the live file; default 10. */
  keepFiles?: number
}

export interface AuditQuery {
  limit?: number
  since?: string
  method?: string
}

const LIVE_FILE = 'audit.jsonl'
const DIR_MODE = 0o700
const FILE_MODE = 0o600
const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
const DEFAULT_KEEP_FILES = 10
const DEFAULT_LIMIT = 100

/** Longest string kept; longer ones are cut (audit fields are names, ids and URLs). */
const MAX_STRING = 512
/** The endpoint may be as long as soap.call accepts it (protocol/rpc/methods.ts). */
const MAX_ENDPOINT = 2048
/**
 * Anything this long is not a name, an id or a URL: it is a payload that reached the wrong field,
 * so it is redacted outright instead of cut (a cut would still leak its first bytes).
 */
const MAX_PLAUSIBLE = 8192
const REDACTED = '[redacted]'
/**
 * A run of base64 or base64url characters this long is a certificate, a key, an assertion or a
 * credential, not an audit fact. Line breaks are removed first so PEM's 64-column lines count as
 * one run (spaces are not: they separate words of ordinary text).
 */
const BLOB = /[A-Za-z0-9+/=_-]{201,}/
const OUTCOMES: ReadonlySet<string> = new Set<AuditRecord['outcome']>(['ok', 'error', 'rejected'])

/**
 * The privacy log of the agent: appends to `audit.jsonl` in a private directory, rotates by size,
 * and reads back newest first for `audit.list` and `ehagent audit`.
 */
export class AuditLog {
  /** Called when a write fails: once per run of failures, so a full disk does not flood the caller. */
  onError?: (err: unknown) => void

  private readonly dir: string
  private readonly clock: () => Date
  private readonly maxFileBytes: number
  private readonly keepFiles: number
  /** Lines recorded and not yet handed to a write. */
  private pending: string[] = []
  /** A write is queued that has not started: it will take every pending line when it does. */
  private writeQueued = false
  /** Completion of the last write queued; flush() waits for it. */
  private lastWrite: Promise<void> = Promise.resolve()
  /** Size of the live file as we last knew it; undefined = stat it before the next write. */
  private liveBytes: number | undefined
  private failing = false
  /** Writes and reads of the files take turns through this chain. */
  private turn: Promise<void> = Promise.resolve()

  constructor(options: AuditLogOptions) {
    this.dir = options.dir
    this.clock = options.clock
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
    this.keepFiles = Math.max(0, Math.floor(options.keepFiles ?? DEFAULT_KEEP_FILES))
  }

  /**
   * Append one record (time added from the clock). Never throws to the caller; write errors are
   * reported through `onError`. Writes are serialized, one JSONL line each.
   */
  record(record: Omit<AuditRecord, 'time'>): void {
    let line: string
    try {
      // The time is taken now, not when the line reaches the disk, so it is the time of the event.
      line = JSON.stringify(sanitizeRecord(record, this.clock().toISOString())) + '\n'
    } catch (err) {
      this.report(err)
      return
    }
    this.pending.push(line)
    if (this.writeQueued) return
    this.writeQueued = true
    // One write per turn takes all lines pending at its start: many records, few appends.
    this.lastWrite = this.exclusive(() => {
      this.writeQueued = false
      const batch = this.pending
      this.pending = []
      return this.writeBatch(batch)
    }).catch(() => undefined)
  }

  /** Records newest first, filtered by `method` and `since` (inclusive), at most `limit` (default 100). */
  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    await this.flush()
    // Read while no write runs, so a rotation cannot shift files under the reader (a record seen twice or missed).
    return this.exclusive(() => this.readRecords(query))
  }

  private async readRecords(query: AuditQuery): Promise<AuditRecord[]> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const since = query.since === undefined ? undefined : Date.parse(query.since)
    const found: AuditRecord[] = []
    if (limit <= 0) return found
    for (let i = 0; i <= this.keepFiles; i++) {
      const lines = await readLines(join(this.dir, fileName(i)))
      // Rotated files are numbered without gaps, so the first one missing ends the history.
      if (lines === undefined) {
        if (i === 0) continue
        break
      }
      for (let j = lines.length - 1; j >= 0; j--) {
        const record = parseLine(lines[j]!)
        if (record === undefined) continue
        if (query.method !== undefined && record.method !== query.method) continue
        if (since !== undefined && !(Date.parse(record.time) >= since)) continue
        found.push(record)
        if (found.length >= limit) return found
      }
    }
    return found
  }

  /**
   * Resolves when every record passed to `record` before this call is on disk (or reported as
   * failed). Records arriving later do not hold it up, so it returns under constant load too.
   */
  flush(): Promise<void> {
    return this.lastWrite
  }

  /** Run `task` when no other exclusive task (a write or a read) is running. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.turn.then(task)
    this.turn = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  /** Append `lines`, rotating whenever the next chunk would take the live file past its limit. */
  private async writeBatch(lines: string[]): Promise<void> {
    try {
      await this.prepareDir()
      const live = join(this.dir, LIVE_FILE)
      let chunk = ''
      let chunkBytes = 0
      if (this.liveBytes === undefined) {
        const found = await inspectLiveFile(live)
        this.liveBytes = found.size
        // A line torn by a crash would swallow the next record; end it so only the torn one is lost.
        if (!found.endsWithNewline) {
          chunk = '\n'
          chunkBytes = 1
        }
      }
      for (const line of lines) {
        const bytes = Buffer.byteLength(line)
        if (this.liveBytes + chunkBytes + bytes > this.maxFileBytes && this.liveBytes + chunkBytes > 0) {
          if (chunk !== '') await this.append(live, chunk, chunkBytes)
          await this.rotate()
          chunk = ''
          chunkBytes = 0
        }
        chunk += line
        chunkBytes += bytes
      }
      if (chunk !== '') await this.append(live, chunk, chunkBytes)
      this.failing = false
    } catch (err) {
      // The size is unknown after a failed append or rotation: ask the file system next time.
      this.liveBytes = undefined
      if (!this.failing) {
        this.failing = true
        this.report(err)
      }
    }
  }

  private async append(live: string, chunk: string, bytes: number): Promise<void> {
    await appendFile(live, chunk, { mode: FILE_MODE })
    this.liveBytes = (this.liveBytes ?? 0) + bytes
  }

  /** audit.jsonl → audit.1.jsonl → … → audit.N.jsonl; the oldest falls off. */
  private async rotate(): Promise<void> {
    let rotated = 0
    while (await exists(join(this.dir, fileName(rotated + 1)))) rotated++
    // Those that would be pushed past N, including any left by an earlier, larger keepFiles.
    for (let i = rotated; i >= this.keepFiles; i--) await removeIfPresent(join(this.dir, fileName(i)))
    for (let i = Math.min(rotated, this.keepFiles - 1); i >= 0; i--) {
      await renameIfPresent(join(this.dir, fileName(i)), join(this.dir, fileName(i + 1)))
    }
    this.liveBytes = 0
  }

  /**
   * Create the directory 0700 when missing. An existing one is left as it is (it may be a state
   * directory the user chose); the log files themselves are 0600 either way.
   */
  private async prepareDir(): Promise<void> {
    const created = await mkdir(this.dir, { recursive: true, mode: DIR_MODE })
    // mkdir's mode is filtered by the umask; make the new directory private regardless.
    if (created !== undefined) await chmod(this.dir, DIR_MODE)
  }

  private report(err: unknown): void {
    try {
      this.onError?.(err)
    } catch {
      // A failing error handler must not turn a lost log line into a crash of the caller.
    }
  }
}

function fileName(index: number): string {
  return index === 0 ? LIVE_FILE : `audit.${index}.jsonl`
}

/**
 * Size of the live file and whether its last line is complete; makes a file left by an earlier
 * run (or created under a looser umask) 0600.
 */
async function inspectLiveFile(path: string): Promise<{ size: number; endsWithNewline: boolean }> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if (isNotFound(err)) return { size: 0, endsWithNewline: true }
    throw err
  }
  try {
    await handle.chmod(FILE_MODE)
    const { size } = await handle.stat()
    if (size === 0) return { size, endsWithNewline: true }
    const last = Buffer.alloc(1)
    await handle.read(last, 0, 1, size - 1)
    return { size, endsWithNewline: last[0] === 0x0a }
  } finally {
    await handle.close()
  }
}

/** The file's lines, or undefined when there is no such file. */
async function readLines(path: string): Promise<string[] | undefined> {
  try {
    return (await readFile(path, 'utf8')).split('\n')
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/** A stored line back to a record, sanitized again: the file is ours, but list() answers a caller. */
function parseLine(line: string): AuditRecord | undefined {
  if (line.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined // a torn last line after a crash: skip it, keep the rest readable
  }
  if (!isObject(value) || typeof value.time !== 'string' || Number.isNaN(Date.parse(value.time))) return undefined
  return sanitizeRecord(value as Omit<AuditRecord, 'time'>, value.time)
}

/**
 * A new record holding only AuditRecord's fields, built field by field, so whatever else a caller
 * attached (a body, a PIN, a params object) never reaches the disk; every string is checked by
 * {@link sanitizeString}.
 */
function sanitizeRecord(input: Omit<AuditRecord, 'time'>, time: string): AuditRecord {
  const source: Record<string, unknown> = isObject(input) ? input : {}
  const out: AuditRecord = {
    time: sanitizeString(time) ?? '',
    event: sanitizeString(source.event) ?? 'unknown',
    // An unknown outcome is a bug in the caller; 'error' is the safe reading of it.
    outcome: typeof source.outcome === 'string' && OUTCOMES.has(source.outcome) ? (source.outcome as AuditRecord['outcome']) : 'error',
  }
  const client = sanitizeClient(source.client)
  if (client) out.client = client
  const program = sanitizeProgram(source.program)
  if (program) out.program = program
  const origin = sanitizeString(source.origin)
  if (origin !== undefined) out.origin = origin
  if (Array.isArray(source.pairedExecutables)) {
    const paired = source.pairedExecutables.slice(0, 16).map((e) => sanitizeString(e, MAX_ENDPOINT)).filter((e): e is string => e !== undefined)
    if (paired.length > 0) out.pairedExecutables = paired
  }
  const method = sanitizeString(source.method)
  if (method !== undefined) out.method = method
  const service = sanitizeService(source.service)
  if (service) out.service = service
  const token = sanitizeToken(source.token)
  if (token) out.token = token
  const errorCode = sanitizeString(source.errorCode)
  if (errorCode !== undefined) out.errorCode = errorCode
  return out
}

function sanitizeClient(value: unknown): AuditRecord['client'] {
  if (!isObject(value)) return undefined
  const id = sanitizeString(value.id)
  const name = sanitizeString(value.name)
  const pid = sanitizePid(value.pid)
  const executable = sanitizeString(value.executable)
  if (id === undefined && name === undefined && pid === undefined && executable === undefined) return undefined
  const out: NonNullable<AuditRecord['client']> = { name: name ?? '(unknown)' }
  if (id !== undefined) out.id = id
  if (pid !== undefined) out.pid = pid
  if (executable !== undefined) out.executable = executable
  return out
}

/** The program as the OS reported it: both its name and its executable, or nothing. */
function sanitizeProgram(value: unknown): AuditRecord['program'] {
  if (!isObject(value)) return undefined
  const name = sanitizeString(value.name)
  const executable = sanitizeString(value.executable, MAX_ENDPOINT)
  if (name === undefined || executable === undefined) return undefined
  const out: NonNullable<AuditRecord['program']> = { name, executable }
  const pid = sanitizePid(value.pid)
  if (pid !== undefined) out.pid = pid
  const user = sanitizeString(value.user)
  if (user !== undefined) out.user = user
  const commandLine = sanitizeString(value.commandLine)
  if (commandLine !== undefined) out.commandLine = commandLine
  return out
}

function sanitizeService(value: unknown): AuditRecord['service'] {
  if (!isObject(value)) return undefined
  const out: NonNullable<AuditRecord['service']> = {}
  const endpoint = sanitizeString(value.endpoint, MAX_ENDPOINT)
  if (endpoint !== undefined) out.endpoint = endpoint
  const soapAction = sanitizeString(value.soapAction)
  if (soapAction !== undefined) out.soapAction = soapAction
  const operation = sanitizeString(value.operation)
  if (operation !== undefined) out.operation = operation
  return Object.keys(out).length > 0 ? out : undefined
}

function sanitizeToken(value: unknown): AuditRecord['token'] {
  if (!isObject(value)) return undefined
  const assertionId = sanitizeString(value.assertionId)
  const subject = sanitizeString(value.subject)
  const profile = sanitizeString(value.profile)
  if (assertionId === undefined && subject === undefined && profile === undefined) return undefined
  // seed 003 wants the identity for every use; a gap shows as '(unknown)' rather than vanishing.
  const out: NonNullable<AuditRecord['token']> = { assertionId: assertionId ?? '(unknown)', subject: subject ?? '(unknown)' }
  if (profile !== undefined) out.profile = profile
  // Seed 003 §1.5: for a token exchanged from IAM Connect, the real person behind it.
  if (isObject(value.realIdentity)) {
    const issuer = sanitizeString(value.realIdentity.issuer)
    const realSubject = sanitizeString(value.realIdentity.subject)
    const name = sanitizeString(value.realIdentity.name)
    if (issuer !== undefined && realSubject !== undefined) out.realIdentity = { issuer, subject: realSubject, ...(name !== undefined ? { name } : {}) }
  }
  return out
}

function sanitizePid(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/**
 * Strings only; anything that looks like XML (a SOAP body, an assertion) or a long base64 blob (a
 * certificate, a key, a credential) becomes '[redacted]' — checked on the whole string, before the
 * cut, so no prefix of it survives; the rest is cut to `max` characters.
 */
function sanitizeString(value: unknown, max = MAX_STRING): string | undefined {
  if (typeof value !== 'string') return undefined
  if (value.length > MAX_PLAUSIBLE) return REDACTED
  if (value.includes('<') && value.includes('>')) return REDACTED
  if (BLOB.test(value.replace(/[\r\n]+/g, ''))) return REDACTED
  return value.length > max ? value.slice(0, max) : value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch (err) {
    if (isNotFound(err)) return false
    throw err
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}
