import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { getPriority, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { expectAddonBuiltAndFound } from '../../test/helpers/native-addon-found.js'
import { findThreadPoolPriorityAddon, libuvThreadPoolSize, POOL_THREAD_NICE } from './thread-pool-priority.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
// The runner's own nice value: a child starts with it (`nice npm test` runs everything at 10).
const BASE = getPriority()
const LOWERED = Math.max(BASE, POOL_THREAD_NICE)
const BUILT = join(ROOT, 'dist', 'native', 'thread-pool-priority.node')

/**
 * A fresh node (UV_THREADPOOL_SIZE=3) that lowers its pool with the built addon, then reports each
 * thread's nice value from /proc (field 19 of /proc/self/task/<tid>/stat) and whether the pool
 * still signs and reads. With IDLE_ONE it first starts the pool (one fs call; libuv starts all its
 * threads at once) and puts one of the new threads under SCHED_IDLE with chrt, reported as `idle`.
 */
const CHILD = `
const { readFileSync, readdirSync, readFile } = require('node:fs')
const crypto = require('node:crypto')
const [addon, threads, nice] = process.argv.slice(1)
const statOf = (tid) => readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').replace(/^.*\\) /, '').split(' ')
const niceOf = (tid) => Number(statOf(tid)[16])
const run = (file, args) => require('node:child_process').execFileSync(file, args, { encoding: 'utf8' }).trim()
const t0 = Date.now()
// BUSY (a FIFO): one pool thread blocks opening it for reading, until the first round is over
// and this thread opens it for writing; then a second round.
if (process.env.BUSY) require('node:fs').open(process.env.BUSY, 'r', () => {})
const before = readdirSync('/proc/self/task')
const idleOne = (then) => require('node:fs').stat('/', () => {
  const tid = readdirSync('/proc/self/task').find((t) => !before.includes(t))
  run('chrt', ['-i', '-p', '0', tid])
  then(Number(tid))
})
const round = () => require(addon).lower(Number(threads), Number(nice))
setTimeout(() => (process.env.IDLE_ONE ? idleOne : (then) => then(undefined))((idle) => round().then(async (first) => {
  if (process.env.BUSY) require('node:fs').closeSync(require('node:fs').openSync(process.env.BUSY, 'w'))
  const lowered = process.env.BUSY ? [first, await new Promise((r) => setTimeout(() => round().then(r), 100))] : first
  const ms = Date.now() - t0
  const nices = readdirSync('/proc/self/task').map((tid) => ({ tid: Number(tid), nice: niceOf(tid), io: run('ionice', ['-p', tid]), policy: run('chrt', ['-p', tid]).split('\\n')[0] }))
  const key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  crypto.sign('sha256', Buffer.from('x'), key, (err, signature) => readFile(__filename === '[eval]' ? '/proc/self/stat' : __filename, (err2) => {
    process.stdout.write(JSON.stringify({ lowered, ms, pid: process.pid, idle, nices, signed: !err && signature.length, read: !err2 }))
  }))
})), 50)
`

interface ChildReport {
  lowered: number | number[]
  ms: number
  pid: number
  /** With IDLE_ONE: the pool thread put under SCHED_IDLE before the round. */
  idle?: number
  nices: { tid: number; nice: number; io: string; policy: string }[]
  signed: number
  read: boolean
}

function runChild(threads: number, wrapper: string[] = [], env: { BUSY?: string; IDLE_ONE?: '1' } = {}): ChildReport {
  const command = [...wrapper, process.execPath, '-e', CHILD, BUILT, String(threads), String(POOL_THREAD_NICE)]
  const run = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', env: { ...process.env, UV_THREADPOOL_SIZE: '3', ...env } })
  expect(run.stderr).toBe('')
  return JSON.parse(run.stdout)
}

describe("libuv's threadpool below the event loop (agent/platform/native/thread-pool-priority.c)", () => {
  it('is built by npm run build and found from the sources, tsc output and the bundle alike', () => {
    expectAddonBuiltAndFound(findThreadPoolPriorityAddon, 'thread-pool-priority.node', ['agent', 'platform'])
  })

  it('gives every pool thread the nice value and no other thread, and the pool still signs and reads', () => {
    expect(process.platform, 'nice values per thread are read from /proc: this test needs Linux').toBe('linux')
    expect(BASE, 'the runner itself must not already be at nice 5 or more for this test').toBeLessThan(POOL_THREAD_NICE)
    const child = runChild(3)
    expect(child.lowered).toBe(3)
    expect(child.nices.filter((t) => t.nice === POOL_THREAD_NICE)).toHaveLength(3)
    expect(child.nices.filter((t) => t.nice !== POOL_THREAD_NICE).every((t) => t.nice === BASE)).toBe(true)
    expect(child.nices.find((t) => t.tid === child.pid)?.nice, 'the event loop keeps its priority').toBe(BASE)
    expect(child.signed).toBe(256)
    expect(child.read).toBe(true)
    // Each pool thread keeps the I/O priority it had (util-linux's ionice reads it back).
    const ioBefore = `best-effort: prio ${Math.floor((BASE + 20) / 5)}`
    for (const t of child.nices.filter((x) => x.nice === POOL_THREAD_NICE)) expect(t.io, `thread ${t.tid}`).toBe(ioBefore)
    // The pool threads are SCHED_BATCH, every other thread stays SCHED_OTHER (util-linux's chrt reads it back).
    for (const t of child.nices) expect(t.policy, `thread ${t.tid}`).toMatch(t.nice === POOL_THREAD_NICE ? /: SCHED_BATCH$/ : /: SCHED_OTHER$/)
  })

  it('leaves a pool thread under another policy as it is (SCHED_IDLE, set with chrt)', () => {
    // One pool thread, not the whole child, is SCHED_IDLE: a whole SCHED_IDLE node gets almost no
    // CPU while both cores are busy (its start-up and key took 85-143 s under two busy loops).
    expect(BASE, 'the runner itself must not already be at nice 5 or more for this test').toBeLessThan(POOL_THREAD_NICE)
    const child = runChild(3, [], { IDLE_ONE: '1' })
    expect(child.lowered).toBe(3)
    const pool = child.nices.filter((t) => t.nice === POOL_THREAD_NICE)
    expect(pool).toHaveLength(3)
    expect(pool.map((t) => t.tid)).toContain(child.idle)
    for (const t of pool) expect(t.policy, `thread ${t.tid}`).toMatch(t.tid === child.idle ? /: SCHED_IDLE$/ : /: SCHED_BATCH$/)
    expect(child.nices.find((t) => t.tid === child.pid)?.policy).toMatch(/: SCHED_OTHER$/)
    expect(child.signed).toBe(256)
  })

  it('never raises a priority: a process started at nice 12 keeps it on every thread', () => {
    const child = runChild(3, ['nice', '-n', '12'])
    expect(child.lowered).toBe(3)
    expect(child.nices.every((t) => t.nice === Math.min(19, BASE + 12))).toBe(true)
  })

  it('does not hang when asked for more threads than the pool has: each waits at most a second', () => {
    const child = runChild(5)
    expect(child.ms).toBeGreaterThanOrEqual(900)
    expect(child.ms).toBeLessThan(2500)
    expect(child.lowered, 'distinct threads, not jobs').toBe(3)
    expect(child.nices.filter((t) => t.nice === LOWERED)).toHaveLength(3)
    expect(child.signed).toBe(256)
  })

  it('counts a thread busy during the round as missed, and a later round reaches it', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'pool-priority-'))
    try {
      const fifo = join(scratch, 'busy')
      expect(spawnSync('mkfifo', [fifo]).status, 'mkfifo (coreutils)').toBe(0)
      const child = runChild(3, [], { BUSY: fifo })
      expect(child.lowered).toEqual([2, 3])
      expect(child.nices.filter((t) => t.nice === LOWERED)).toHaveLength(3)
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it('reads the pool size as libuv does (UV_THREADPOOL_SIZE: 4 when unset, atoi, 0 as 1, at most 1024)', () => {
    expect(libuvThreadPoolSize(undefined)).toBe(4)
    expect(libuvThreadPoolSize('8')).toBe(8)
    expect(libuvThreadPoolSize(' 8 threads')).toBe(8)
    for (const one of ['', '0', 'many', '4294967296']) expect(libuvThreadPoolSize(one), one).toBe(1)
    for (const most of ['5000', '-3']) expect(libuvThreadPoolSize(most), most).toBe(1024)
    expect(libuvThreadPoolSize('4294967298')).toBe(2)
  })

  it('agrees with the threads libuv starts for those values', () => {
    // A fresh node's thread count with and without a pool started (one fs call), for each value.
    const poolThreads = (value: string | undefined) => {
      const count = (start: boolean) => {
        const env = { ...process.env }
        if (value === undefined) delete env.UV_THREADPOOL_SIZE
        else env.UV_THREADPOOL_SIZE = value
        const script = start ? "require('fs').stat('/', () => setTimeout(() => console.log(require('fs').readdirSync('/proc/self/task').length), 50))" : "setTimeout(() => console.log(require('fs').readdirSync('/proc/self/task').length), 50)"
        return Number(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env }).stdout.trim())
      }
      return count(true) - count(false)
    }
    for (const value of [undefined, '2', '0', 'many', '4294967298']) expect(poolThreads(value), String(value)).toBe(libuvThreadPoolSize(value))
  })
})
