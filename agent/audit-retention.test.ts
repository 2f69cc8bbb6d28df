import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord, PrivacyLogStatus } from '../protocol/rpc/methods.js'
import { AuditLog, type AuditLogOptions } from './audit.js'

let root: string
let opened: AuditLog[] = []
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'audit-retention-'))
})
afterEach(async () => {
  await Promise.all(opened.map((log) => log.close()))
  opened = []
  rmSync(root, { recursive: true, force: true })
})

/** A clock the test sets. */
function settableClock(start: string): { clock: () => Date; set: (iso: string) => void } {
  let now = Date.parse(start)
  return { clock: () => new Date(now), set: (iso) => (now = Date.parse(iso)) }
}

function newLog(options: Partial<AuditLogOptions> & Pick<AuditLogOptions, 'clock'>): AuditLog {
  const log = new AuditLog({ dir: root, ...options })
  opened.push(log)
  return log
}

const use = (i: number, extra: Partial<AuditRecord> = {}): Omit<AuditRecord, 'time'> => ({
  event: 'soap.sign',
  client: { id: 'c1', name: 'Practice app' },
  method: 'soap.sign',
  service: { operation: '{urn:be:fgov:ehealth:test}SearchRequest' },
  token: { assertionId: '_t', subject: '85010112345', profile: 'doctor' },
  signatureId: `SIG-${String(i).padStart(6, '0')}`,
  outcome: 'ok',
  ...extra,
})

const LINE_BYTES = Buffer.byteLength(JSON.stringify({ time: '2025-03-01T10:00:01.000Z', ...use(100) }) + '\n')
/** The numbers of the records' signature ids. */
const ids = (records: AuditRecord[]) => records.map((r) => Number(r.signatureId!.slice(4)))
/** n, n-1, …: the newest-first run of record numbers. */
const down = (n: number, count: number) => Array.from({ length: count }, (_, k) => n - k)
const logFiles = () => readdirSync(root).filter((n) => n.startsWith('audit'))

describe('privacy log: retention by age', () => {
  it('deletes whole files once their newest record is past the retention, rotating a quiet live file by age', async () => {
    const time = settableClock('2023-01-15T09:00:00Z')
    // Three records per file.
    const log = newLog({ clock: time.clock, maxFileBytes: LINE_BYTES * 3 + 10, limits: { retentionMonths: 24 } })
    await log.open()
    for (let i = 0; i < 4; i++) await log.commit(use(i)) // file A = 0..2 (Jan 2023); 3 stays in the live file
    time.set('2023-06-15T09:00:00Z')
    for (let i = 4; i < 9; i++) await log.commit(use(i)) // file B = 3..5 (newest June 2023); live = 6..8
    time.set('2024-01-15T09:00:00Z')
    await log.maintain() // the live file's oldest record is months old: rotated (file C = 6..8) though small
    for (let i = 9; i < 11; i++) await log.commit(use(i))
    await log.maintain()
    expect(logFiles()).toHaveLength(4) // A, B, C compressed, and the live file
    expect(logFiles().filter((n) => n.endsWith('.jsonl.gz'))).toHaveLength(3)

    time.set('2025-02-01T00:00:00Z') // 24 months back is 2023-02-01: only A's newest record is older
    await log.maintain()
    expect(ids(await log.list())).toEqual(down(10, 8))
    // 3 is from January 2023, kept: its file's newest record (June 2023) is within the retention.
    expect(log.status().oldestRecord).toBe('2023-01-15T09:00:00.000Z')

    time.set('2025-07-01T00:00:00Z') // B and C go; the live file (January 2024) is rotated by age and kept
    await log.maintain()
    expect(ids(await log.list())).toEqual([10, 9])
    expect(logFiles()).toHaveLength(2)
    expect(log.status()).toMatchObject({ oldestRecord: '2024-01-15T09:00:00.000Z', retentionMonths: 24 })
  })

  it('runs the upkeep from the timer it is given', async () => {
    const time = settableClock('2023-01-15T09:00:00Z')
    const timers: { ms: number; fn: () => void }[] = []
    const log = newLog({
      clock: time.clock,
      limits: { retentionMonths: 1 },
      rotateAfterMs: 24 * 3600_000,
      schedule: (ms, fn) => {
        timers.push({ ms, fn })
        return () => undefined
      },
      maintenanceIntervalMs: 3600_000,
    })
    await log.open()
    await log.commit(use(1))
    expect(timers).toHaveLength(1)
    expect(timers[0]!.ms).toBe(3600_000)
    time.set('2023-04-01T00:00:00Z')
    timers[0]!.fn()
    await log.maintain() // queued behind the timer's run
    expect(await log.list()).toEqual([])
    // Re-armed; the rotation by age also left a check waiting for the log to go quiet.
    expect(timers.filter((t) => t.ms === 3600_000)).toHaveLength(2)
  })

  describe('compressing what was rotated under load', () => {
    /** A log with its own timer and quiet clock; `check()` runs the newest quiet check it left. */
    async function underLoad() {
      const timers: { ms: number; fn: () => void }[] = []
      const clocks = { elapsed: 0 }
      const errors: unknown[] = []
      const log = newLog({
        clock: settableClock('2025-01-01T00:00:00Z').clock,
        maxFileBytes: LINE_BYTES * 2,
        schedule: (ms, fn) => (timers.push({ ms, fn }), () => undefined),
        elapsedMs: () => clocks.elapsed,
      })
      log.onError = (err) => errors.push(err)
      await log.open()
      const check = () => timers.filter((t) => t.ms <= 1000).at(-1)!.fn()
      return { log, clocks, errors, check }
    }
    const gz = () => logFiles().filter((n) => n.endsWith('.jsonl.gz')).sort()
    const plain = () => logFiles().filter((n) => /^audit-.*\.jsonl$/.test(n)).sort()
    /** Wait until `done()` holds, or fail after 5 s. */
    async function until(done: () => boolean) {
      for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10))
      expect(done()).toBe(true)
    }

    it('waits while records keep coming, compresses the oldest once four wait, and the rest once quiet for a second', async () => {
      const { log, clocks, errors, check } = await underLoad()
      for (let i = 0; i < 7; i++) await log.commit(use(i)) // files of 2 lines: 3 rotated, 1 record live
      check()
      await new Promise((r) => setTimeout(r, 100))
      expect(plain()).toHaveLength(3)
      expect(gz()).toEqual([])
      expect(ids(await log.list({ limit: 100 }))).toEqual(down(6, 7))
      // Two more rotations while records keep coming: at four waiting, the oldest is compressed.
      for (let i = 7; i < 11; i++) await log.commit(use(i))
      // compressFile renames the .gz into place before it unlinks the plain file (the records are
      // never in neither): wait for both halves of the second compression, then see it stop there.
      await until(() => gz().length === 2 && plain().length === 3)
      await new Promise((r) => setTimeout(r, 100))
      expect(gz().map((n) => n.slice(0, 14))).toEqual(['audit-00000001', 'audit-00000002'])
      expect(plain()).toHaveLength(3)
      // A second without a record: the rest are compressed.
      clocks.elapsed += 1000
      check()
      await until(() => plain().length === 0)
      expect(gz()).toHaveLength(5)
      expect(ids(await log.list({ limit: 100 }))).toEqual(down(10, 11))
      expect(errors).toEqual([])
      await log.close()
    })

    it('goes on with the upkeep when a waiting file was moved away, and counts it no more', async () => {
      const { log, clocks, errors, check } = await underLoad()
      for (let i = 0; i < 7; i++) await log.commit(use(i))
      const moved = plain()[0]!
      renameSync(join(root, moved), join(root, '..', `moved-${process.pid}.jsonl`))
      clocks.elapsed += 1000
      check()
      await until(() => plain().length === 0)
      expect(gz()).toHaveLength(2)
      expect(errors).toEqual([])
      expect(ids(await log.list({ limit: 100 }))).toEqual(down(6, 5))
      rmSync(join(root, '..', `moved-${process.pid}.jsonl`))
      await log.close()
    })
  })
})

describe('privacy log: disk budget', () => {
  it('warns at the warning level, refuses uses at the budget (ERR_AUDIT_FULL), and never drops the record of a use', async () => {
    const states: PrivacyLogStatus[] = []
    const time = settableClock('2025-03-01T10:00:00Z')
    const budgetBytes = LINE_BYTES * 100
    const log = newLog({ clock: time.clock, limits: { budgetBytes, warnPercent: 90 } })
    log.onStateChange = (s) => states.push(s)
    await log.open()
    for (let i = 0; i < 89; i++) await log.commit(use(i))
    expect(log.status()).toMatchObject({ state: 'ok', budgetBytes, warnBytes: LINE_BYTES * 90 })
    expect(log.status().message).toBeUndefined()
    log.assertCanRecordUse()

    await log.commit(use(89))
    expect(log.status()).toMatchObject({ state: 'nearly-full', message: expect.stringMatching(/90%.*ERR_AUDIT_FULL.*privacyLog\.maxDiskMiB/) })
    expect(states.map((s) => s.state)).toEqual(['nearly-full'])
    log.assertCanRecordUse() // a warning only

    for (let i = 90; i < 100; i++) await log.commit(use(i))
    expect(log.status()).toMatchObject({ state: 'full', usedBytes: budgetBytes })
    expect(states.map((s) => s.state)).toEqual(['nearly-full', 'full'])
    let refusal: unknown
    try {
      log.assertCanRecordUse()
    } catch (err) {
      refusal = err
    }
    expect(refusal).toMatchObject({ code: 'ERR_AUDIT_FULL', data: { usedBytes: budgetBytes, budgetBytes } })
    expect((refusal as Error).message).toMatch(/disk budget.*unlogged/)
    // A use already under way when the budget was reached still gets its record.
    await log.commit(use(100))
    expect(ids(await log.list({ limit: 1 }))).toEqual([100])
  })

  it('past the budget plus a reserve, records that hand nothing out are counted, not written; uses still are', async () => {
    const time = settableClock('2025-03-01T10:00:00Z')
    const log = newLog({ clock: time.clock, limits: { budgetBytes: LINE_BYTES * 10 } })
    const reserve = 1024 * 1024
    for (let round = 0; round < 100 && log.status().droppedRecords === 0; round++) {
      for (let i = 0; i < 500; i++) log.record({ event: 'rejected', method: 'soap.sign', outcome: 'rejected', errorCode: 'ERR_AUDIT_FULL' })
      await log.flush()
    }
    const status = log.status()
    expect(status.droppedRecords).toBeGreaterThan(0)
    expect(status.usedBytes).toBeGreaterThan(LINE_BYTES * 10 + reserve)
    expect(status.usedBytes).toBeLessThan(LINE_BYTES * 10 + reserve + 500 * LINE_BYTES)
    await log.commit(use(1))
    expect(ids(await log.list({ limit: 1, event: 'soap.sign' }))).toEqual([1])
  })

  it('is free again once old files are moved away or the budget is raised', async () => {
    const time = settableClock('2025-03-01T10:00:00Z')
    // An old, already compressed file that takes most of the budget.
    writeFileSync(join(root, 'audit-00000001-20240101T000000000Z-20240301T000000000Z.jsonl.gz'), randomBytes(60_000))
    const timers: { ms: number; fn: () => void }[] = []
    const schedule = (ms: number, fn: () => void) => {
      timers.push({ ms, fn })
      return () => undefined
    }
    const log = newLog({ clock: time.clock, limits: { budgetBytes: 50_000 }, schedule })
    await log.open()
    expect(log.status().state).toBe('full')
    expect(() => log.assertCanRecordUse()).toThrow(expect.objectContaining({ code: 'ERR_AUDIT_FULL' }))
    // While full, the upkeep looks for room every 10 s rather than every hour.
    expect(timers.at(-1)!.ms).toBe(10_000)
    // The user archives it elsewhere; the next upkeep measures the folder again, no use needed.
    mkdirSync(join(root, 'archive'))
    renameSync(join(root, 'audit-00000001-20240101T000000000Z-20240301T000000000Z.jsonl.gz'), join(root, 'archive', 'old.jsonl.gz'))
    timers.at(-1)!.fn()
    await log.maintain()
    expect(log.status().state).toBe('ok')
    expect(timers.at(-1)!.ms).toBe(3600_000)
    log.assertCanRecordUse()
    await log.close()

    // A raised budget after a restart.
    renameSync(join(root, 'archive', 'old.jsonl.gz'), join(root, 'audit-00000001-20240101T000000000Z-20240301T000000000Z.jsonl.gz'))
    const raised = newLog({ clock: time.clock, limits: { budgetBytes: 200_000 } })
    await raised.open()
    expect(raised.status().state).toBe('ok')
    raised.assertCanRecordUse()
  })
})

describe('privacy log: reading across files', () => {
  it('answers a short list from the newest files without decompressing the older ones', async () => {
    const time = settableClock('2025-01-01T00:00:00Z')
    const log = newLog({ clock: time.clock, maxFileBytes: LINE_BYTES * 10 + 10 })
    await log.open()
    for (let day = 0; day < 10; day++) {
      time.set(new Date(Date.UTC(2025, 0, 1 + day)).toISOString())
      for (let i = 0; i < 10; i++) await log.commit(use(day * 10 + i))
    }
    await log.maintain()
    const rotated = readdirSync(root).filter((n) => n.endsWith('.gz')).sort()
    expect(rotated).toHaveLength(9)
    // Break the two oldest files: a reader that opened them would fail.
    for (const name of rotated.slice(0, 2)) writeFileSync(join(root, name), 'not gzip at all')
    expect(ids(await log.list({ limit: 20 }))).toEqual(down(99, 20))
    // A time range skips files by the times in their names, whatever the limit.
    expect(ids(await log.list({ from: '2025-01-05T00:00:00Z', to: '2025-01-06T00:00:00Z', limit: 1000 }))).toEqual(down(59, 20))
    // Reading everything does reach them, and says so rather than answering with a gap.
    await expect(log.list({ limit: 1000 })).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
  })

  it('filters by client and event across compressed files, newest first', async () => {
    const time = settableClock('2025-01-01T00:00:00Z')
    const log = newLog({ clock: time.clock, maxFileBytes: LINE_BYTES * 5 })
    for (let i = 0; i < 60; i++) {
      const client = i % 3 === 0 ? { id: 'c2', name: 'Lab app' } : { id: 'c1', name: 'Practice app' }
      log.record(use(i, { client, event: i % 10 === 0 ? 'soap.call' : 'soap.sign' }))
    }
    await log.flush()
    await log.maintain()
    expect(readdirSync(root).filter((n) => n.endsWith('.gz')).length).toBeGreaterThan(8)
    expect(ids(await log.list({ client: 'Lab app', limit: 4 }))).toEqual([57, 54, 51, 48])
    expect(ids(await log.list({ client: 'c2', event: 'soap.call' }))).toEqual([30, 0])
  })
})

describe('privacy log: nothing lost across a restart', () => {
  it('takes over what a crash left: a file not compressed yet, a half-written compressed one, a finished one not cleaned up, a torn line', async () => {
    const time = settableClock('2025-01-01T00:00:00Z')
    const first = newLog({ clock: time.clock, maxFileBytes: LINE_BYTES * 4 })
    await first.open()
    for (let i = 0; i < 14; i++) await first.commit(use(i))
    await first.maintain()
    await first.close()
    const gz = readdirSync(root).filter((n) => n.endsWith('.gz')).sort()
    expect(gz).toHaveLength(3)
    // 1. the newest rotated file as it was before its compression: plain, next to nothing
    const plainName = gz[2]!.replace(/\.gz$/, '')
    writeFileSync(join(root, plainName), gunzipSync(readFileSync(join(root, gz[2]!))))
    rmSync(join(root, gz[2]!))
    // 2. the middle one compressed, but the plain original not yet removed
    writeFileSync(join(root, gz[1]!.replace(/\.gz$/, '')), gunzipSync(readFileSync(join(root, gz[1]!))))
    // 3. a compression interrupted mid-write
    writeFileSync(join(root, `${gz[0]!}.tmp`), 'half a gzip')
    // 4. a torn last line in the live file
    writeFileSync(join(root, 'audit.jsonl'), readFileSync(join(root, 'audit.jsonl'), 'utf8') + '{"time":"2025-01-01T00:00:00.000Z","event":"so')

    const second = newLog({ clock: time.clock, maxFileBytes: LINE_BYTES * 4 })
    await second.open()
    await second.commit(use(14))
    expect(ids(await second.list({ limit: 100 }))).toEqual(down(14, 15))
    await second.maintain()
    const names = readdirSync(root).sort()
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([])
    expect(names.filter((n) => /^audit-.*\.jsonl$/.test(n))).toEqual([])
    expect(names.filter((n) => n.endsWith('.gz'))).toEqual(gz)
    for (const name of names) expect(statSync(join(root, name)).mode & 0o777, name).toBe(0o600)
  })

  it('keeps the login record through 400,000 uses with the default settings', async () => {
    let now = Date.parse('2025-03-01T08:00:00Z')
    const log = newLog({ clock: () => new Date(now) })
    await log.open()
    await log.commit({ event: 'login', client: { name: 'ehagent (this user)' }, token: { assertionId: '_login', subject: '85010112345', profile: 'doctor' }, outcome: 'ok' })
    const total = 400_000
    // Small records: the test is about how many, not how big.
    const record: Omit<AuditRecord, 'time'> = { event: 'soap.sign', client: { id: 'c1', name: 'App' }, outcome: 'ok' }
    const recordBytes = Buffer.byteLength(JSON.stringify({ time: '2025-03-01T08:00:00.000Z', ...record }) + '\n')
    for (let i = 0; i < total; i++) {
      now += 50 // 20 uses a second for 5.5 hours
      log.record(record)
      if (i % 20_000 === 19_999) await log.flush()
    }
    await log.flush()
    await log.maintain()
    const status = log.status()
    expect(status.state).toBe('ok')
    expect(status.droppedRecords).toBe(0)
    expect(status.files).toBeGreaterThan(8)
    // Compressed: well under a tenth of what was written.
    expect(status.usedBytes).toBeLessThan((total * recordBytes) / 10)
    const [login] = await log.list({ event: 'login' })
    expect(login).toMatchObject({ event: 'login', time: '2025-03-01T08:00:00.000Z', token: { assertionId: '_login' } })
    let lines = 0
    for (const name of readdirSync(root)) {
      const data = readFileSync(join(root, name))
      lines += (name.endsWith('.gz') ? gunzipSync(data) : data).toString('latin1').split('\n').length - 1
    }
    expect(lines).toBe(total + 1)
  }, 120_000)

  it('a copy of the folder restored elsewhere reads the same', async () => {
    const time = settableClock('2025-01-01T00:00:00Z')
    const log = newLog({ clock: time.clock, maxFileBytes: LINE_BYTES * 3 })
    for (let i = 0; i < 10; i++) await log.commit(use(i))
    await log.maintain()
    const copy = join(root, 'copy')
    mkdirSync(copy)
    for (const name of logFiles()) copyFileSync(join(root, name), join(copy, name))
    const restored = newLog({ dir: copy, clock: time.clock })
    expect(ids(await restored.list())).toEqual(ids(await log.list()))
  })
})
