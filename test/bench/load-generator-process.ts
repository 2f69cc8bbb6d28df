/**
 * The bench's load generator in a process of its own, as wrk is to a server it measures: the
 * closed and open loops of load-client.ts, run in a small child that holds nothing else. In the
 * bench process they shared a heap with everything the bench keeps (its modules, the envelopes,
 * the results), and that heap's garbage collections paused the sends: `--trace-gc` on the bench
 * showed a mark-compact of 5.5 ms, with incremental steps of up to 4.1 ms, inside one half-rate
 * run, and the open loop counts such a pause as the agent's latency.
 *
 * The parent sends one load at a time over the IPC channel and gets back the latencies and the
 * child's own CPU time for that load (user + system, from process.cpuUsage in the child).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runClosedLoop, runOpenLoop, type LoadResult } from './load-client.js'

interface ClosedLoad {
  kind: 'closed'
  port: number
  request: Buffer
  okMarker: Buffer
  concurrency: number
  seconds: number
}

interface OpenLoad {
  kind: 'open'
  port: number
  request: Buffer
  okMarker: Buffer
  ratePerSec: number
  seconds: number
  maxConnections: number
}

/** A load's figures, and the generator's CPU time for it in µs. */
export interface GeneratedLoad extends LoadResult {
  cpuUs: number
}

export interface LoadGenerator {
  /** The child's pid. */
  readonly pid: number
  closed(load: Omit<ClosedLoad, 'kind'>): Promise<GeneratedLoad>
  open(load: Omit<OpenLoad, 'kind'>): Promise<GeneratedLoad>
  stop(): Promise<void>
}

type Wire<T> = { [K in keyof T]: T[K] extends Buffer ? string : T[K] }
type Answer = { ok: true; count: number; seconds: number; latencies: number[]; cpuUs: number } | { ok: false; error: string }

/** A load's answer may come this long after its `seconds` (connecting, the last answers). */
const ANSWER_MARGIN_MS = 30_000

/** Start the child; it answers one load at a time. */
export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child = fork(fileURLToPath(import.meta.url), ['--load-generator'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  // A send on a channel the child closed, or a failed fork, emits 'error': the load in progress
  // (if any) fails with it instead of the bench dying of an unhandled event.
  let failLoad: ((err: Error) => void) | undefined
  child.on('error', (err) => failLoad?.(err))
  child.on('exit', (code, signal) => failLoad?.(new Error(`the load generator exited (${signal ?? code}) during a load`)))
  await new Promise<void>((resolve, reject) => {
    failLoad = reject
    child.once('message', () => resolve())
  })
  failLoad = undefined
  // `failLoad` is set exactly while a load runs.
  const run = (load: ClosedLoad | OpenLoad): Promise<GeneratedLoad> => {
    if (failLoad) return Promise.reject(new Error('the load generator runs one load at a time'))
    if (!child.connected) return Promise.reject(new Error('the load generator has exited'))
    const wire = { ...load, request: load.request.toString('base64'), okMarker: load.okMarker.toString('base64') }
    return new Promise<GeneratedLoad>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        child.off('message', onAnswer)
        failLoad = undefined
      }
      const onAnswer = (answer: Answer) => {
        done()
        if (!answer.ok) reject(new Error(answer.error))
        else resolve({ count: answer.count, seconds: answer.seconds, latencies: Float64Array.from(answer.latencies), cpuUs: answer.cpuUs })
      }
      failLoad = (err) => {
        done()
        reject(err)
      }
      // A load that never finishes (every connection failed in an open loop) ends the child.
      const timer = setTimeout(() => {
        failLoad?.(new Error(`the load generator gave no answer ${ANSWER_MARGIN_MS / 1000} s after the load's end`))
        child.kill('SIGKILL')
      }, load.seconds * 1000 + ANSWER_MARGIN_MS)
      child.on('message', onAnswer)
      child.send(wire)
    })
  }
  return {
    pid: child.pid!,
    closed: (load) => run({ kind: 'closed', ...load }),
    open: (load) => run({ kind: 'open', ...load }),
    stop: () => stopChild(child),
  }
}

/** Ask the child to exit (it does when its channel closes); kill it if it has not within 5 s. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    if (child.connected) child.disconnect()
    else child.kill('SIGTERM')
  })
}

/** The child: run each load it is sent, answer with its figures; exit when the parent disconnects. */
function serveLoads(): void {
  process.on('message', (wire: Wire<ClosedLoad> | Wire<OpenLoad>) => {
    const request = Buffer.from(wire.request, 'base64')
    const okMarker = Buffer.from(wire.okMarker, 'base64')
    const cpu0 = process.cpuUsage()
    const load = wire.kind === 'closed' ? runClosedLoop({ ...wire, request, okMarker }) : runOpenLoop({ ...wire, request, okMarker })
    load.then(
      (result) => {
        const cpu = process.cpuUsage(cpu0)
        process.send!({ ok: true, count: result.count, seconds: result.seconds, latencies: Array.from(result.latencies), cpuUs: cpu.user + cpu.system } satisfies Answer)
      },
      (err: Error) => process.send!({ ok: false, error: err.message } satisfies Answer),
    )
  })
  process.on('disconnect', () => process.exit(0))
  process.send!('ready')
}

if (process.argv.includes('--load-generator') && process.send) serveLoads()
