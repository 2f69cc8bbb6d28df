/**
 * `npm run bench:audit`: what a durable privacy-log record costs. N concurrent writers (as N
 * clients of soap.sign would) each commit a record and wait until it is on disk, again and again:
 *
 * - group commit (AuditLog.commit): one write + fdatasync for every record queued meanwhile;
 * - one fdatasync per record (the naive durable log), for comparison;
 * - no wait at all (AuditLog.record, as the log was before: not durable), for the floor.
 *
 * Printed per mode and concurrency: records/s, the latency a writer waits per record (p50, p99),
 * the records per fdatasync, and the synchronous cost of commit() on the event loop. The last line
 * is one JSON object. The directory is under the system's temporary folder unless
 * BENCH_AUDIT_DIR names another (the disk the agent's state lives on matters most).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuditLog } from '../../agent/audit.js'
import type { AuditRecord } from '../../protocol/rpc/methods.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const CONCURRENCY = [1, 16, 64]

const RECORD: Omit<AuditRecord, 'time'> = {
  event: 'soap.sign',
  client: { id: '3f2a9c0e1b7d4e5f', name: 'MediSoft 4.2' },
  method: 'soap.sign',
  service: { operation: '{urn:be:fgov:ehealth:addressbook:protocol:v1}SearchProfessionalsRequest' },
  token: { assertionId: '_6c3a9f0e8b7d4c2a1f0e9d8c7b6a5f4e', subject: '85010112345', profile: 'doctor' },
  signatureId: 'SIG-0123456789abcdef0123456789abcdef',
  outcome: 'ok',
}

interface Result {
  mode: string
  writers: number
  recordsPerSec: number
  p50Ms: number
  p99Ms: number
  recordsPerFsync: number
}

type Commit = () => Promise<void>

/** `writers` loops of commit-and-wait for SECONDS; latencies of each wait. */
async function drive(writers: number, commit: Commit): Promise<{ count: number; latencies: number[]; seconds: number }> {
  const latencies: number[] = []
  const end = performance.now() + SECONDS * 1000
  const start = performance.now()
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < end) {
        const t = performance.now()
        await commit()
        latencies.push(performance.now() - t)
      }
    }),
  )
  return { count: latencies.length, latencies, seconds: (performance.now() - start) / 1000 }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
}

async function measureGroupCommit(dir: string, writers: number): Promise<Result> {
  const log = new AuditLog({ dir: join(dir, `group-${writers}`), clock: () => new Date() })
  await log.open()
  const before = log.commitStats()
  const run = await drive(writers, () => log.commit(RECORD))
  const stats = log.commitStats()
  await log.close()
  const sorted = run.latencies.sort((a, b) => a - b)
  return { mode: 'group commit', writers, recordsPerSec: run.count / run.seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), recordsPerFsync: (stats.records - before.records) / Math.max(1, stats.writes - before.writes) }
}

/** The naive durable log: each record its own append + fdatasync, one at a time. */
async function measureFsyncPerRecord(dir: string, writers: number): Promise<Result> {
  const handle = await open(join(dir, `naive-${writers}.jsonl`), 'a', 0o600)
  let turn = Promise.resolve()
  const commit: Commit = () => {
    const line = Buffer.from(JSON.stringify({ time: new Date().toISOString(), ...RECORD }) + '\n')
    const mine = turn.then(async () => {
      await handle.write(line)
      await handle.datasync()
    })
    turn = mine
    return mine
  }
  const run = await drive(writers, commit)
  await handle.close()
  const sorted = run.latencies.sort((a, b) => a - b)
  return { mode: 'fdatasync per record', writers, recordsPerSec: run.count / run.seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), recordsPerFsync: 1 }
}

/** The floor: record() without waiting (not durable: what a crash could lose). */
async function measureNoWait(dir: string, writers: number): Promise<Result> {
  const log = new AuditLog({ dir: join(dir, `nowait-${writers}`), clock: () => new Date() })
  await log.open()
  const before = log.commitStats()
  const run = await drive(writers, async () => {
    log.record(RECORD)
    // Yield as a request would, without waiting for the disk.
    await new Promise<void>((resolve) => setImmediate(resolve))
  })
  await log.flush()
  const stats = log.commitStats()
  await log.close()
  const sorted = run.latencies.sort((a, b) => a - b)
  return { mode: 'no wait (not durable)', writers, recordsPerSec: run.count / run.seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), recordsPerFsync: (stats.records - before.records) / Math.max(1, stats.writes - before.writes) }
}

/** What commit() itself costs on the event loop: sanitize, serialize, append to the batch. */
async function measureSyncCost(dir: string): Promise<number> {
  const log = new AuditLog({ dir: join(dir, 'sync-cost'), clock: () => new Date() })
  await log.open()
  const n = 20_000
  let total = 0
  for (let round = 0; round < 5; round++) {
    const pending: Promise<void>[] = []
    const t = performance.now()
    for (let i = 0; i < n; i++) pending.push(log.commit(RECORD))
    total += performance.now() - t
    await Promise.all(pending)
  }
  await log.close()
  return (total / (5 * n)) * 1000
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_AUDIT_DIR ?? tmpdir(), 'ehagent-bench-audit-'))
  const results: Result[] = []
  try {
    for (const writers of CONCURRENCY) {
      for (const measure of [measureGroupCommit, measureFsyncPerRecord, measureNoWait]) {
        const r = await measure(dir, writers)
        results.push(r)
        process.stderr.write(
          `${r.mode.padEnd(22)} ${String(writers).padStart(3)} writers: ${r.recordsPerSec.toFixed(0).padStart(7)} records/s, wait p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.recordsPerFsync.toFixed(1)} records per fdatasync\n`,
        )
      }
    }
    const syncUs = await measureSyncCost(dir)
    process.stderr.write(`commit() on the event loop: ${syncUs.toFixed(2)} µs per record\n`)
    const pick = (mode: string, writers: number) => results.find((r) => r.mode === mode && r.writers === writers)!
    const round = (x: number, d = 0) => Number(x.toFixed(d))
    const report: Record<string, number> = { commitSyncUs: round(syncUs, 2) }
    for (const writers of CONCURRENCY) {
      const group = pick('group commit', writers)
      report[`group${writers}PerSec`] = round(group.recordsPerSec)
      report[`group${writers}P50Ms`] = round(group.p50Ms, 2)
      report[`group${writers}P99Ms`] = round(group.p99Ms, 2)
      report[`group${writers}PerFsync`] = round(group.recordsPerFsync, 1)
      report[`naive${writers}PerSec`] = round(pick('fdatasync per record', writers).recordsPerSec)
      report[`noWait${writers}PerSec`] = round(pick('no wait (not durable)', writers).recordsPerSec)
    }
    process.stdout.write(JSON.stringify(report) + '\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
