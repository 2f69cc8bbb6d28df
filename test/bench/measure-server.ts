/**
 * One closed-loop load against a signing server (the agent or a reference server), with what it
 * cost: the server's CPU time per signature (all its threads, and its main thread), the load
 * generator's own, and the share of the machine's cores left idle meanwhile. Every bench figure
 * of CPU per signature comes from here, so the agent and the references are measured alike.
 */
import { cpuMs, idlePercent, machineTicks } from './agent-process.js'
import { quantile } from './load-client.js'
import type { GeneratedLoad, LoadGenerator } from './load-generator-process.js'

/** What marks a successful JSON-RPC answer in the load generator's reading. */
export const OK_MARKER = Buffer.from('"result"')

export interface ServerRun extends GeneratedLoad {
  perSec: number
  p50: number
  p99: number
  /** The server process's CPU time per signature, µs (all its threads). */
  cpuUsPerSign: number
  /** Its main thread's (the event loop's), µs. */
  mainThreadCpuUsPerSign: number
  /** The load generator's, µs: the server's peer on the same cores. */
  loadGeneratorCpuUsPerSign: number
  /** The share of all cores left idle during the run, %. */
  idleCpuPct: number
}

/** `concurrency` keep-alive clients in a closed loop for `seconds` against the server whose process is `pid`. */
export async function measureServer(load: LoadGenerator, pid: number, options: { port: number; request: Buffer; concurrency: number; seconds: number }): Promise<ServerRun> {
  const cpu0 = { all: cpuMs(pid), main: cpuMs(pid, pid) }
  const ticks0 = machineTicks()
  const run = await load.closed({ ...options, okMarker: OK_MARKER })
  const idleCpuPct = idlePercent(ticks0, machineTicks())
  const perSign = (ms: number) => (ms * 1000) / run.count
  return {
    ...run,
    perSec: run.count / run.seconds,
    p50: quantile(run.latencies, 0.5),
    p99: quantile(run.latencies, 0.99),
    cpuUsPerSign: perSign(cpuMs(pid) - cpu0.all),
    mainThreadCpuUsPerSign: perSign(cpuMs(pid, pid) - cpu0.main),
    loadGeneratorCpuUsPerSign: run.cpuUs / run.count,
    idleCpuPct,
  }
}
