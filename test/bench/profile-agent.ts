/**
 * `npm run bench:profile`: a CPU profile of the agent under the bench's 16-client 4 KB
 * `soap.sign` load, and nothing else. The sandbox and the agent run as `npm run bench` runs them
 * (each its own process, the agent with `--sandbox-url`, the load from the bench's generator
 * process), the agent under `node --cpu-prof`; after
 * a warm-up the profile covers sign-in, the warm-up and PROFILE_SECONDS (default 10) of load, and
 * is written when the agent stops (SIGTERM ends it normally). PROFILE_PATH=/rpc?via=hono sends
 * the load through the hono app instead of the listener's direct path (the query string makes the
 * direct path leave the request to hono, which routes it to the same endpoint), to compare the
 * two in one build. The profile lands in
 * test-artifacts/bench/ (open it in Chrome DevTools or speedscope); the top self-time entries
 * (summarize-profile.ts) are printed, the last line as JSON.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { makeEnvelope } from '../helpers/envelopes.js'
import { freePort } from '../helpers/start-test-agent.js'
import { signInAsDoctor, startAgentProcess, stopProcess } from './agent-process.js'
import { withBenchProcesses } from './bench-processes.js'
import { soapSignRequest } from './load-client.js'
import { measureServer, OK_MARKER } from './measure-server.js'
import { summarizeProfile } from './summarize-profile.js'

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10)
const PATH = process.env.PROFILE_PATH ?? '/rpc'
const root = new URL('../../', import.meta.url).pathname

async function main(): Promise<void> {
  const outDir = join(root, 'test-artifacts', 'bench')
  mkdirSync(outDir, { recursive: true })
  const startedAt = Date.now()
  await withBenchProcesses('ehagent-profile-', async (processes) => {
    const { stateDir, load, sandbox } = processes
    const port = await freePort()
    const agentStateDir = join(stateDir, 'agent')
    const agent = (processes.agent = await startAgentProcess({ stateDir: agentStateDir, port, sandboxUrl: sandbox.url, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${outDir}`] }))
    const credential = await signInAsDoctor(agent, agentStateDir)
    const request = soapSignRequest(port, makeEnvelope(4096), credential, PATH)
    await load.closed({ port, request, okMarker: OK_MARKER, concurrency: 16, seconds: 2 })
    const run = await measureServer(load, agent.pid, { port, request, concurrency: 16, seconds: SECONDS })
    log(`16 clients, 4 KB, POST ${PATH}: ${run.perSec.toFixed(0)}/s, p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms; agent CPU per signature ${run.cpuUsPerSign.toFixed(0)} µs (main thread ${run.mainThreadCpuUsPerSign.toFixed(0)} µs)`)
    await stopProcess(agent.child)
    processes.agent = undefined
    const written = readdirSync(outDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(outDir, f))
      .filter((f) => statSync(f).mtimeMs >= startedAt)
    const profile = written.sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0]
    if (!profile) throw new Error(`the agent wrote no profile to ${outDir}`)
    const summary = summarizeProfile(JSON.parse(readFileSync(profile, 'utf8')), 25)
    log(`profile: ${profile}`)
    log(`top self time (of ${summary.totalMs.toFixed(0)} ms sampled on the main thread):`)
    for (const e of summary.top) log(`  ${e.percent.toFixed(1).padStart(5)} %  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.name}  ${e.where}`)
    process.stdout.write(JSON.stringify({ profile, path: PATH, signPerSec: Math.round(run.perSec), agentCpuUsPerSign: Math.round(run.cpuUsPerSign), agentMainThreadCpuUsPerSign: Math.round(run.mainThreadCpuUsPerSign), ...summary }) + '\n')
  })
}

function log(line: string): void {
  process.stdout.write(line + '\n')
}

main().catch((err) => {
  process.stderr.write(`profile failed: ${(err as Error).stack ?? err}\n`)
  process.exit(1)
})
