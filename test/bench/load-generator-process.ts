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
  closed(load: Omit<ClosedLoad, 'kind'>): Promise<GeneratedLoad>
  open(load: Omit<OpenLoad, 'kind'>): Promise<GeneratedLoad>
  stop(): Promise<void>
}

type Wire<T> = { [K in keyof T]: T[K] extends Buffer ? string : T[K] }
type Answer = { ok: true; count: number; seconds: number; latencies: number[]; cpuUs: number } | { ok: false; error: string }

/** Start the child; it answers one load at a time. */
export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child = fork(fileURLToPath(import.meta.url), ['--load-generator'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`the load generator exited (${code}) before it was ready`)))
  })
  let busy = false
  const run = (load: ClosedLoad | OpenLoad): Promise<GeneratedLoad> => {
    if (busy) return Promise.reject(new Error('the load generator runs one load at a time'))
    busy = true
    const wire = { ...load, request: load.request.toString('base64'), okMarker: load.okMarker.toString('base64') }
    return new Promise<GeneratedLoad>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code}) during a load`))
      child.once('exit', onExit)
      child.once('message', (answer: Answer) => {
        child.off('exit', onExit)
        busy = false
        if (!answer.ok) return reject(new Error(answer.error))
        resolve({ count: answer.count, seconds: answer.seconds, latencies: Float64Array.from(answer.latencies), cpuUs: answer.cpuUs })
      })
      child.send(wire)
    })
  }
  return {
    closed: (load) => run({ kind: 'closed', ...load }),
    open: (load) => run({ kind: 'open', ...load }),
    stop: () => stopChild(child),
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.disconnect()
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
