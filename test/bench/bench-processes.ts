/**
 * The child processes a bench script measures with (the load generator, the sandbox, the agent)
 * and their state folder, stopped and removed when the script's work ends, whether it finished or
 * threw. run.ts, profile-agent.ts and references-alternated.ts each start them this way.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSandboxProcess, stopProcess, type AgentProcess, type SandboxProcess } from './agent-process.js'
import { startLoadGenerator, type LoadGenerator } from './load-generator-process.js'

export interface BenchProcesses {
  /** A fresh folder; the sandbox's state is in its `sandbox/`, the agent's goes in `agent/`. */
  stateDir: string
  load: LoadGenerator
  /** A script that restarts the sandbox (run.ts times its start) puts the new one here. */
  sandbox: SandboxProcess
  /** The agent the script starts, once it does; undefined again once the script stopped it. */
  agent?: AgentProcess
}

/** Start the load generator and the sandbox in a fresh state folder `prefix…`, run `work`, then stop all and remove the folder. */
export async function withBenchProcesses<T>(prefix: string, work: (processes: BenchProcesses) => Promise<T>): Promise<T> {
  const stateDir = mkdtempSync(join(tmpdir(), prefix))
  const started: Partial<BenchProcesses> = { stateDir }
  try {
    started.load = await startLoadGenerator()
    started.sandbox = await startSandboxProcess(join(stateDir, 'sandbox'))
    return await work(started as BenchProcesses)
  } finally {
    if (started.load) await started.load.stop()
    if (started.agent) await stopProcess(started.agent.child)
    if (started.sandbox) await stopProcess(started.sandbox.child)
    rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  }
}
