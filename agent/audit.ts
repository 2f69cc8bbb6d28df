/**
 * The privacy log: one JSONL record per use of the HOK token and per login, logout and pairing
 * (eHealth IAM eXchange, Annex A §1.5: "a privacy log containing the real identity of the caller
 * every time the SAML HOK token is used"). It records who, when, which client, which service and
 * operation, which token and the outcome; never a body, a PIN, a password or key material
 * (agent/audit/sanitize-record.ts).
 *
 * Durable before delivered: a use of the token (a signature, a soap.call answer, a sign-in)
 * reaches its caller only once its record is written and fsync'ed ({@link AuditLog.commit}).
 * The fsync is shared: every record that arrives while one fsync runs goes into the next single
 * write + fdatasync (group commit, as databases do for their logs), so the cost per record falls
 * as the load rises; on Linux that is one O_DSYNC write (agent/audit/durable-append.ts). A crash
 * can cost a record only of a use nobody was handed.
 *
 * Kept by age, within a disk budget: `audit.jsonl` is rotated by size (and by age, so a quiet
 * month still ages out), rotated files are gzip-compressed, whole files are deleted once their
 * newest record is older than the retention. Nothing is ever dropped to make room: when the
 * budget is reached, uses of the token are refused with ERR_AUDIT_FULL instead (and warned about
 * from 90 % on, in agent.status, the tray and `ehagent doctor`).
 */
import { chmod, mkdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { AgentError } from '../protocol/errors.js'
import type { AuditRecord, PrivacyLogStatus } from '../protocol/rpc/methods.js'
import { budgetState, DEFAULT_PRIVACY_LOG_LIMITS, describeState, retentionCutoff, warnBytesOf, type PrivacyLogLimits } from './audit/audit-budget.js'
import { openLiveFile, scanDirectory, type LiveFile, type RotatedFile } from './audit/audit-directory.js'
import { toAuditError } from './audit/audit-error.js'
import { LIVE_FILE, rotatedFileName, type RotatedFileName } from './audit/audit-file-names.js'
import { compressFile, decompress } from './audit/compress-file.js'
import { appendDurably, WRITES_ARE_SYNCED } from './audit/durable-append.js'
import { recordMatcher, type RecordFilter } from './audit/match-records.js'
import { fileLinesBackward, linesBackward, recordTimeRange } from './audit/read-lines.js'
import { sanitizeRecord } from './audit/sanitize-record.js'
import { syncDirectory } from './audit/sync-directory.js'

export interface AuditLogOptions {
  dir: string
  clock: () => Date
  /** Rotate before a write would take `audit.jsonl` past this size; default 4 MiB. */
  maxFileBytes?: number
  /** Rotate `audit.jsonl` once its oldest record is this old, whatever its size; default 30 days. */
  rotateAfterMs?: number
  /** Retention, disk budget and warning level; defaults 24 months, 1 GiB, 90 %. */
  limits?: Partial<PrivacyLogLimits>
  /** Runs the periodic upkeep (pruning by age); without it, upkeep runs at start and at rotations only. */
  schedule?: (ms: number, fn: () => void) => () => void
  /** How often the upkeep runs; default one hour. */
  maintenanceIntervalMs?: number
  /** A monotonic clock in ms, for how long no record came (performance.now by default). */
  elapsedMs?: () => number
  /**
   * False: write + fdatasync, as on platforms other than Linux, even on Linux (tests run both).
   * Default: O_DSYNC writes where {@link WRITES_ARE_SYNCED}; elsewhere true changes nothing.
   */
  syncedWrites?: boolean
}

/** Filters of {@link AuditLog.list}; all optional, combined with AND. */
export interface AuditQuery extends RecordFilter {
  /** At most this many records, newest first; default 100. */
  limit?: number
}

const DIR_MODE = 0o700
const MIB = 1024 * 1024
const DEFAULT_MAX_FILE_BYTES = 4 * MIB
/**
 * With a timer, a rotated file is compressed once no record came for this long
 * ({@link AuditLog.maintainWhenQuiet}): compressing 4 MiB costs some 20 ms of CPU and 8 MiB of
 * buffers, which under load came out as bursts of answers 20-50 ms late.
 */
const QUIET_BEFORE_COMPRESSING_MS = 1000
/** Rotated files left uncompressed at most while records keep coming (4 × 4 MiB by default). */
const MAX_WAITING_UNCOMPRESSED = 4
const DEFAULT_ROTATE_AFTER_MS = 30 * 24 * 3600_000
const DEFAULT_MAINTENANCE_MS = 3600_000
const DEFAULT_LIMIT = 100
/** While full, the directory is measured again at most this often (files moved away free the budget). */
const RESCAN_MS = 10_000

/** Records waiting for the same write + fsync; one promise for all of them. */
interface Batch {
  lines: string[]
  times: number[]
  done: Promise<void>
  resolve: () => void
  reject: (err: AgentError) => void
}

/**
 * The privacy log of the agent: a private directory of JSONL files, newest in `audit.jsonl`.
 * Call {@link open} at start (it migrates files of earlier versions, finishes any compression a
 * crash interrupted and prunes by age) and {@link close} at stop.
 */
export class AuditLog {
  /** Called when a write or the upkeep fails: once per run of failures, so a full disk does not flood the log. */
  onError?: (err: unknown) => void
  /** Called when {@link status}'s state changes (ok, nearly-full, full, failing). */
  onStateChange?: (status: PrivacyLogStatus) => void

  private readonly dir: string
  private readonly clock: () => Date
  private readonly maxFileBytes: number
  private readonly rotateAfterMs: number
  private readonly limits: PrivacyLogLimits
  private readonly schedule: AuditLogOptions['schedule']
  private readonly maintenanceIntervalMs: number
  private readonly elapsedMs: () => number
  private readonly syncedWrites: boolean

  private opening: Promise<void> | undefined
  private live: LiveFile | undefined
  /** Rotated files, oldest first. */
  private rotated: RotatedFile[] = []
  private nextSeq = 1
  /** Records waiting for the next write. */
  private pending: Batch | undefined
  /** The batch of the newest record: {@link durable} waits for it. */
  private lastBatch: Batch | undefined
  /** Tasks on the live file (rotation by age) that take turns with the writes. */
  private liveTasks: (() => Promise<void>)[] = []
  private draining = false
  /** The last write failed with this; cleared by the next write that succeeds. */
  private failure: AgentError | undefined
  private reportedFailure = false
  private upkeep: Promise<void> = Promise.resolve()
  private upkeepFailing = false
  private lastState: PrivacyLogStatus['state'] = 'ok'
  private droppedRecords = 0
  private lastRescan = Number.NEGATIVE_INFINITY
  private cancelTimer: (() => void) | undefined
  /** The check of {@link maintainWhenQuiet} waiting for the log to go quiet. */
  private cancelQuietCheck: (() => void) | undefined
  /** {@link elapsedMs} at the newest record. */
  private lastRecordAt = Number.NEGATIVE_INFINITY
  private closed = false
  private writes = 0
  private recordsWritten = 0

  constructor(options: AuditLogOptions) {
    this.dir = options.dir
    this.clock = options.clock
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
    this.rotateAfterMs = options.rotateAfterMs ?? DEFAULT_ROTATE_AFTER_MS
    this.limits = { ...DEFAULT_PRIVACY_LOG_LIMITS, ...options.limits }
    this.schedule = options.schedule
    this.maintenanceIntervalMs = options.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_MS
    this.elapsedMs = options.elapsedMs ?? (() => performance.now())
    this.syncedWrites = WRITES_ARE_SYNCED && options.syncedWrites !== false
  }

  /**
   * Open the log: create the directory, take over files of earlier versions and of a crash, then
   * start the upkeep (compression, pruning by age, the periodic timer). Safe to call more than
   * once; writes and reads open the log themselves when needed.
   */
  async open(): Promise<void> {
    try {
      await this.ensureOpen()
    } catch (err) {
      this.failure = toAuditError(err)
      this.notifyIfChanged()
      throw err
    }
    if (this.schedule && !this.cancelTimer && !this.closed) this.armTimer()
    await this.maintain()
  }

  /**
   * Record a use of the token and resolve once the record is on disk (written and fsync'ed).
   * The caller hands out its result only after this resolves; it rejects with ERR_AUDIT_FULL
   * (the disk is full) or ERR_AUDIT_UNAVAILABLE (any other write failure). The synchronous part
   * is only serializing the record into the batch waiting for the next write.
   */
  commit(record: Omit<AuditRecord, 'time'>): Promise<void> {
    if (this.closed) return Promise.reject(new AgentError('ERR_AUDIT_UNAVAILABLE', 'the agent is stopping'))
    let line: string
    let time: number
    try {
      // The time is taken now, not when the line reaches the disk, so it is the time of the event.
      const now = this.clock()
      time = now.getTime()
      line = JSON.stringify(sanitizeRecord(record, now.toISOString())) + '\n'
    } catch (err) {
      return Promise.reject(toAuditError(err))
    }
    return this.enqueue(line, time).done
  }

  /**
   * Record an event that hands nothing out (a refusal, a logout, a settings change): written with
   * the next group, never throws; failures go to `onError`. Past the disk budget (plus a small
   * reserve) such records are counted in `droppedRecords` instead of written, so a flood of
   * refused requests cannot fill the disk; uses of the token are refused before that point.
   */
  record(record: Omit<AuditRecord, 'time'>): void {
    if (this.closed) return
    if (this.usedBytes() >= this.limits.budgetBytes + reserveBytes(this.limits.budgetBytes)) {
      this.droppedRecords++
      return
    }
    this.recordUse(record)
  }

  /**
   * Record a use of the token whose caller waits for it another way (a sign-in: the session
   * records it, the method then waits with {@link durable}). Like {@link commit} it is never
   * dropped; like {@link record} it never throws, failures go to `onError`.
   */
  recordUse(record: Omit<AuditRecord, 'time'>): void {
    if (this.closed) return
    this.commit(record).catch((err: unknown) => {
      // A serialization failure never reached the writer, which reports write failures itself.
      if (!this.failure) this.report(err)
    })
  }

  /**
   * Resolves when the newest record so far is on disk; rejects when its write failed. A sign-in
   * waits for this after the session recorded it.
   */
  durable(): Promise<void> {
    return this.lastBatch?.done ?? Promise.resolve()
  }

  /**
   * Resolves when every record passed before this call is on disk or reported as failed. Records
   * arriving later do not hold it up, so it returns under constant load too. Never rejects.
   */
  flush(): Promise<void> {
    return this.durable().catch(() => undefined)
  }

  /**
   * Throws ERR_AUDIT_FULL when the disk budget is reached: called before the token is used
   * (soap.sign, soap.call, sign-in), so a use that could not be recorded never happens.
   */
  assertCanRecordUse(): void {
    if (this.closed) throw new AgentError('ERR_AUDIT_UNAVAILABLE', 'the agent is stopping')
    const used = this.usedBytes()
    if (used < this.limits.budgetBytes) return
    // Files moved away or a raised budget free it: look again now and then, not on every call.
    const now = this.clock().getTime()
    if (now - this.lastRescan >= RESCAN_MS || now < this.lastRescan) {
      this.lastRescan = now
      void this.maintain().catch(() => undefined)
    }
    throw new AgentError('ERR_AUDIT_FULL', describeState({ state: 'full', usedBytes: used, budgetBytes: this.limits.budgetBytes }), {
      usedBytes: used,
      budgetBytes: this.limits.budgetBytes,
    })
  }

  /** Disk use, budget, retention and state, for agent.status, the tray and the doctor. */
  status(): PrivacyLogStatus {
    const usedBytes = this.usedBytes()
    const state = this.state()
    let oldest = this.live && this.live.records > 0 ? this.live.oldest : Number.POSITIVE_INFINITY
    for (const file of this.rotated) oldest = Math.min(oldest, file.oldest)
    const message = describeState({ state, usedBytes, budgetBytes: this.limits.budgetBytes }, this.failure?.data.reason as string | undefined)
    return {
      state,
      usedBytes,
      budgetBytes: this.limits.budgetBytes,
      warnBytes: warnBytesOf(this.limits),
      retentionMonths: this.limits.retentionMonths,
      ...(Number.isFinite(oldest) ? { oldestRecord: new Date(oldest).toISOString() } : {}),
      files: this.rotated.length + (this.live ? 1 : 0),
      droppedRecords: this.droppedRecords,
      ...(message ? { message } : {}),
    }
  }

  /** How many write + fdatasync rounds ran and how many records they carried (the group commit's effect). */
  commitStats(): { writes: number; records: number } {
    return { writes: this.writes, records: this.recordsWritten }
  }

  /**
   * Records newest first, across the live file and the rotated ones (compressed or not), filtered
   * by `query`. Files whose time range lies outside from/to are not opened; reading stops as soon
   * as `limit` records matched, so a short list decompresses at most the newest file or two.
   */
  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    await this.flush()
    try {
      await this.ensureOpen()
    } catch (err) {
      throw toAuditError(err)
    }
    const limit = query.limit ?? DEFAULT_LIMIT
    const found: AuditRecord[] = []
    if (limit <= 0) return found
    const match = recordMatcher(query)
    // A consistent view: the live file's synced length and the rotated files as they are now.
    // A rotation after this point renames the live file under our open handle, which still
    // reads the same bytes; a compression or a pruning is found out when a file is opened.
    const live = this.live
    const liveBytes = live?.bytes ?? 0
    const files = this.rotated.map((f) => ({ ...f })).reverse()
    if (live) live.readers++
    try {
      if (live && liveBytes > 0 && match.overlaps(live.oldest, live.newest)) {
        for await (const line of fileLinesBackward(live.handle, liveBytes)) {
          const record = match.line(line)
          if (record && found.push(record) >= limit) return found
        }
      }
      for (const file of files) {
        if (!match.overlaps(file.oldest, file.newest)) continue
        const data = await this.readRotated(file)
        if (!data) continue
        for (const line of linesBackward(data)) {
          const record = match.line(line)
          if (record && found.push(record) >= limit) return found
        }
      }
      return found
    } catch (err) {
      throw toAuditError(err)
    } finally {
      if (live) this.releaseLive(live)
    }
  }

  /**
   * The upkeep, one run: rotate `audit.jsonl` when its oldest record is old enough, compress what
   * was rotated, delete whole files past the retention (by their newest record), and measure the
   * directory again when the budget is reached. Runs at open, after each rotation and from the
   * timer; resolves when done (tests drive it with their own clock).
   */
  maintain(): Promise<void> {
    return this.runUpkeep(async () => {
      await this.ensureOpen()
      await this.onLiveFile(() => this.rotateIfOld())
      await this.compressRotated()
      await this.pruneByAge()
      if (this.usedBytes() >= this.limits.budgetBytes) await this.rescan()
    })
  }

  /** One piece of upkeep, after the one running; a run of failures is reported once. */
  private runUpkeep(work: () => Promise<void>): Promise<void> {
    const run = this.upkeep.then(async () => {
      if (!this.closed) await work()
    })
    this.upkeep = run.then(
      () => {
        this.upkeepFailing = false
        this.notifyIfChanged()
      },
      (err: unknown) => {
        if (!this.upkeepFailing) this.report(err)
        this.upkeepFailing = true
      },
    )
    return run
  }

  /** Stop: the records queued are written, the upkeep in progress finishes, the file is closed. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
    this.cancelTimer?.()
    this.cancelTimer = undefined
    this.cancelQuietCheck?.()
    this.cancelQuietCheck = undefined
    await this.upkeep
    const live = this.live
    this.live = undefined
    if (live) this.retireLive(live)
  }

  // ---- writing -------------------------------------------------------------------------------

  private enqueue(line: string, time: number): Batch {
    let batch = this.pending
    if (!batch) {
      batch = newBatch()
      this.pending = batch
      this.lastBatch = batch
      this.kick()
    }
    batch.lines.push(line)
    batch.times.push(time)
    this.lastRecordAt = this.elapsedMs()
    return batch
  }

  /** Start the writer unless it runs: on a microtask, so records made in the same tick share a write. */
  private kick(): void {
    if (this.draining) return
    this.draining = true
    queueMicrotask(() => void this.drain())
  }

  /**
   * The one writer: tasks on the live file first, then the whole pending batch in one write and
   * one fdatasync. Records arriving meanwhile form the next batch (group commit).
   */
  private async drain(): Promise<void> {
    for (;;) {
      const task = this.liveTasks.shift()
      if (task) {
        await task()
        continue
      }
      const batch = this.pending
      if (!batch) break
      this.pending = undefined
      try {
        await this.writeBatch(batch)
        this.failure = undefined
        this.reportedFailure = false
        batch.resolve()
      } catch (err) {
        const error = toAuditError(err)
        this.failure = error
        if (!this.reportedFailure) {
          this.reportedFailure = true
          this.report(err)
        }
        batch.reject(error)
      }
      this.notifyIfChanged()
    }
    this.draining = false
  }

  /** Run `task` on the live file between two writes; resolves when it ran. */
  private onLiveFile(task: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.liveTasks.push(() => task().then(resolve, reject))
      this.kick()
    })
  }

  /** Append the batch, rotating whenever the next line would take the live file past its size. */
  private async writeBatch(batch: Batch): Promise<void> {
    let live = await this.openLive()
    try {
      let text = live.needsNewline ? '\n' : ''
      let bytes = text.length
      let oldest = Number.POSITIVE_INFINITY
      let newest = Number.NEGATIVE_INFINITY
      let records = 0
      for (let i = 0; i < batch.lines.length; i++) {
        const line = batch.lines[i]!
        const time = batch.times[i]!
        const lineBytes = Buffer.byteLength(line)
        if (live.bytes + bytes + lineBytes > this.maxFileBytes && live.records + records > 0) {
          if (records > 0) await this.append(live, text, bytes, oldest, newest, records)
          live = await this.rotate(live)
          text = ''
          bytes = 0
          oldest = Number.POSITIVE_INFINITY
          newest = Number.NEGATIVE_INFINITY
          records = 0
        }
        text += line
        bytes += lineBytes
        records++
        if (time < oldest) oldest = time
        if (time > newest) newest = time
      }
      if (bytes > 0) await this.append(live, text, bytes, oldest, newest, records)
    } catch (err) {
      // Its state is unknown after a failed write (a torn line, a lost size, a directory deleted
      // under us): open the log afresh next time, directory included.
      if (this.live) {
        this.retireLive(this.live)
        this.live = undefined
      }
      this.opening = undefined
      throw err
    }
  }

  /** One durable append (agent/audit/durable-append.ts); the records count as written only after it. */
  private async append(live: LiveFile, text: string, bytes: number, oldest: number, newest: number, records: number): Promise<void> {
    await appendDurably(live.handle, Buffer.from(text, 'utf8'), live.synced)
    this.writes++
    this.recordsWritten += records
    live.bytes += bytes
    live.needsNewline = false
    live.records += records
    if (oldest < live.oldest) live.oldest = oldest
    if (newest > live.newest) live.newest = newest
  }

  /**
   * `audit.jsonl` becomes `audit-<seq>-<oldest>-<newest>.jsonl` and a new live file starts; its
   * compression runs in the upkeep, not here, so the writes go on.
   */
  private async rotate(live: LiveFile): Promise<LiveFile> {
    const now = this.clock().getTime()
    const meta: RotatedFileName = {
      seq: this.nextSeq,
      oldest: Number.isFinite(live.oldest) ? live.oldest : now,
      newest: Number.isFinite(live.newest) ? live.newest : now,
      compressed: false,
    }
    const name = rotatedFileName(meta)
    await rename(join(this.dir, LIVE_FILE), join(this.dir, name))
    // In one synchronous step with the rename's completion, so a list sees either the old live
    // file without this rotated one, or this rotated one and a new live file, never neither.
    this.nextSeq++
    this.rotated.push({ ...meta, name, bytes: live.bytes })
    this.retireLive(live)
    this.live = undefined
    const fresh = await this.openLive()
    this.maintainWhenQuiet()
    return fresh
  }

  /**
   * The upkeep a rotation calls for (compressing the rotated file, pruning), once the log is quiet:
   * no record for {@link QUIET_BEFORE_COMPRESSING_MS}. While records keep coming, one waiting file
   * (the oldest) is compressed each time {@link MAX_WAITING_UNCOMPRESSED} wait; at the budget's
   * warning level (an uncompressed file counts its whole size) everything is compressed at once.
   * Checked at each rotation and then every second while files wait. A rotated file not
   * compressed yet is read as it is, and a crash leaves it for the next start. Without a timer
   * (tests), the upkeep runs at once.
   */
  private maintainWhenQuiet(): void {
    const schedule = this.schedule
    if (!schedule) {
      void this.maintain().catch(() => undefined)
      return
    }
    this.cancelQuietCheck?.()
    this.cancelQuietCheck = undefined
    const check = (): void => {
      this.cancelQuietCheck = undefined
      if (this.closed) return
      const waiting = this.rotated.filter((f) => !f.compressed).length
      if (waiting === 0) return
      const quietFor = this.elapsedMs() - this.lastRecordAt
      if (quietFor >= QUIET_BEFORE_COMPRESSING_MS || this.usedBytes() * 100 >= this.limits.budgetBytes * this.limits.warnPercent) {
        void this.maintain().catch(() => undefined)
        return
      }
      if (waiting >= MAX_WAITING_UNCOMPRESSED) void this.runUpkeep(() => this.compressRotated(1)).catch(() => undefined)
      this.cancelQuietCheck = schedule(Math.max(QUIET_BEFORE_COMPRESSING_MS - quietFor, 50), check)
    }
    check()
  }

  private async rotateIfOld(): Promise<void> {
    const live = this.live
    if (!live || live.records === 0) return
    if (this.clock().getTime() - live.oldest < this.rotateAfterMs) return
    await this.rotate(live)
  }

  private async openLive(): Promise<LiveFile> {
    await this.ensureOpen()
    if (this.closed) throw new AgentError('ERR_AUDIT_UNAVAILABLE', 'the agent is stopping')
    this.live ??= await openLiveFile(this.dir, this.syncedWrites)
    return this.live
  }

  private releaseLive(live: LiveFile): void {
    live.readers--
    if (live.retired && live.readers === 0) void live.handle.close().catch(() => undefined)
  }

  private retireLive(live: LiveFile): void {
    if (live.retired) return
    live.retired = true
    if (live.readers === 0) void live.handle.close().catch(() => undefined)
  }

  // ---- opening and upkeep ----------------------------------------------------------------------

  private ensureOpen(): Promise<void> {
    this.opening ??= this.openNow().catch((err: unknown) => {
      this.opening = undefined
      throw err
    })
    return this.opening
  }

  private async openNow(): Promise<void> {
    const created = await mkdir(this.dir, { recursive: true, mode: DIR_MODE })
    // mkdir's mode is filtered by the umask; make the new directory private regardless. An
    // existing one is left as it is (it may be a state directory the user chose).
    if (created !== undefined) await chmod(this.dir, DIR_MODE)
    const found = await scanDirectory(this.dir)
    for (const name of found.leftovers) await removeIfPresent(join(this.dir, name))
    this.rotated = found.rotated
    this.nextSeq = found.rotated.reduce((max, f) => Math.max(max, f.seq), 0) + 1
    // Earlier versions numbered their files audit.1.jsonl (newest) … audit.N.jsonl (oldest).
    for (const legacy of found.legacy.sort((a, b) => b.index - a.index)) {
      const data = await readFile(join(this.dir, legacy.name))
      const range = recordTimeRange(data)
      const fallback = (await stat(join(this.dir, legacy.name))).mtimeMs
      const meta: RotatedFileName = {
        seq: this.nextSeq++,
        oldest: range.records > 0 ? range.oldest : fallback,
        newest: range.records > 0 ? range.newest : fallback,
        compressed: false,
      }
      const name = rotatedFileName(meta)
      await rename(join(this.dir, legacy.name), join(this.dir, name))
      this.rotated.push({ ...meta, name, bytes: data.length })
    }
    if (found.legacy.length > 0) await syncDirectory(this.dir)
    this.live ??= await openLiveFile(this.dir, this.syncedWrites)
  }

  /** The upkeep's next run: hourly, or every few seconds while full (to notice room made). */
  private armTimer(): void {
    const schedule = this.schedule
    if (!schedule) return
    const full = this.usedBytes() >= this.limits.budgetBytes
    this.cancelTimer = schedule(full ? Math.min(RESCAN_MS, this.maintenanceIntervalMs) : this.maintenanceIntervalMs, () => {
      this.cancelTimer = undefined
      void this.maintain()
        .catch(() => undefined)
        .finally(() => {
          if (!this.closed) this.armTimer()
        })
    })
  }

  /** Compress the rotated files not compressed yet, oldest first; at most `limit` of them. */
  private async compressRotated(limit = Number.POSITIVE_INFINITY): Promise<void> {
    let done = 0
    for (const file of this.rotated) {
      if (file.compressed || this.closed) continue
      if (done++ >= limit) break
      const target = rotatedFileName({ ...file, compressed: true })
      let bytes: number
      try {
        bytes = await compressFile(this.dir, file.name, target)
      } catch (err) {
        // Moved away by the user (what a full log's message suggests): no longer the log's, and
        // the rest of the upkeep (pruning, measuring the budget again) must still run.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        this.rotated = this.rotated.filter((f) => f !== file)
        continue
      }
      file.compressed = true
      file.name = target
      file.bytes = bytes
    }
  }

  /** Delete whole files whose newest record is past the retention. The live file is never deleted. */
  private async pruneByAge(): Promise<void> {
    const cutoff = retentionCutoff(this.clock(), this.limits.retentionMonths)
    const expired = this.rotated.filter((f) => f.newest < cutoff)
    if (expired.length === 0) return
    this.rotated = this.rotated.filter((f) => f.newest >= cutoff)
    for (const file of expired) {
      await removeIfPresent(join(this.dir, file.name))
      if (!file.compressed) await removeIfPresent(join(this.dir, rotatedFileName({ ...file, compressed: true })))
    }
    await syncDirectory(this.dir)
  }

  /** Measure the rotated files again: the user may have moved old ones away to make room. */
  private async rescan(): Promise<void> {
    // A rotation may complete while the folder is read: files it adds are kept whatever the scan saw.
    const firstNew = this.nextSeq
    const found = await scanDirectory(this.dir)
    const bySeq = new Map(this.rotated.map((f) => [f.seq, f]))
    const scanned = found.rotated.filter((f) => f.seq < firstNew)
    this.rotated = [
      ...scanned.map((f) => {
        const known = bySeq.get(f.seq)
        return known && known.name === f.name ? { ...known, bytes: f.bytes } : f
      }),
      ...this.rotated.filter((f) => f.seq >= firstNew),
    ]
    this.nextSeq = Math.max(this.nextSeq, this.rotated.reduce((max, f) => Math.max(max, f.seq), 0) + 1)
  }

  /** A rotated file's contents, decompressed; undefined when it is gone (pruned or moved away). */
  private async readRotated(file: RotatedFile): Promise<Buffer | undefined> {
    if (!file.compressed) {
      try {
        return await readFile(join(this.dir, file.name))
      } catch (err) {
        if (!isNotFound(err)) throw err
        // Compressed since the list began.
      }
    }
    try {
      return await decompress(await readFile(join(this.dir, rotatedFileName({ ...file, compressed: true }))))
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  // ---- state -----------------------------------------------------------------------------------

  private usedBytes(): number {
    let used = this.live?.bytes ?? 0
    for (const file of this.rotated) used += file.bytes
    return used
  }

  private state(): PrivacyLogStatus['state'] {
    const byBudget = budgetState(this.usedBytes(), this.limits)
    if (byBudget === 'full') return 'full'
    if (this.failure) return 'failing'
    return byBudget
  }

  private notifyIfChanged(): void {
    const state = this.state()
    if (state === this.lastState) return
    this.lastState = state
    if (state === 'full' && this.cancelTimer) {
      // Look for room made every few seconds from now on, not in an hour.
      this.cancelTimer()
      this.cancelTimer = undefined
      this.armTimer()
    }
    try {
      this.onStateChange?.(this.status())
    } catch {
      // A failing listener must not break the writer.
    }
  }

  private report(err: unknown): void {
    try {
      this.onError?.(err)
    } catch {
      // A failing error handler must not turn a lost log line into a crash of the caller.
    }
  }
}

function newBatch(): Batch {
  let resolve!: () => void
  let reject!: (err: AgentError) => void
  const done = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Best-effort records share the promise without awaiting it: never an unhandled rejection.
  done.catch(() => undefined)
  return { lines: [], times: [], done, resolve, reject }
}

/** What the log may exceed its budget by for records that hand nothing out: 1 %, at least 1 MiB. */
function reserveBytes(budgetBytes: number): number {
  return Math.max(MIB, Math.floor(budgetBytes / 100))
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}
