/**
 * `npm run bench:references`: the agent and the bench's reference servers (reference-servers.ts)
 * in alternated rounds, so that a busy moment of a shared machine falls on all of them alike.
 * Each round: one core's raw RSA with the agent's key, then 4 s of the 16-client 4 KB load on the
 * agent, on each reference server, and libxmlsec1's in-process rate on the same envelope
 * (python3-xmlsec). BENCH_ROUNDS (default 5) sets the number of rounds.
 *
 * Per round it prints each server's rate as a multiple of one core's RSA and of libxmlsec1,
 * its CPU time per signature, and the CPU budget of the two rate targets of `npm run bench`:
 * at N signatures/s, the machine's cores give each signature cores / N seconds of CPU, for the
 * server and its load generator together. A server that uses more CPU per signature than that
 * cannot sign N per second here, whatever it does with idle time. The README's "What two cores
 * allow" is made of these figures. The last line is one JSON object with every round.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope } from '../helpers/envelopes.js'
import { freePort } from '../helpers/start-test-agent.js'
import { cpuMs, doctorKey, idlePercent, machineTicks, signInAsDoctor, startAgentProcess, startSandboxProcess, stopProcess, type AgentProcess, type SandboxProcess } from './agent-process.js'
import { hasLibxmlsec, measureLibxmlsec } from './libxmlsec.js'
import { soapSignRequest } from './load-client.js'
import { startLoadGenerator, type LoadGenerator } from './load-generator-process.js'
import { measureRawRsa } from './raw-rsa.js'
import { REFERENCE_KINDS, type ReferenceKind } from './reference-server-process.js'
import { measureReferenceServer } from './reference-servers.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const SECONDS = 4
const RATIO_TARGET = 1.2
const LIBXMLSEC_TARGET = 1.5

interface Served {
  perSec: number
  cpuUsPerSign: number
  /** The share of all cores left idle during its run, %. */
  idleCpuPct: number
}

interface Round {
  rawRsaPerSec: number
  libxmlsecPerSec: number
  /** Load generator's CPU per signature in the agent's run, µs: part of every server's budget. */
  loadGeneratorCpuUsPerSign: number
  /** The agent's main thread (its event loop), CPU per signature, µs. */
  agentMainThreadCpuUsPerSign: number
  servers: Record<'agent' | ReferenceKind, Served>
}

async function main(): Promise<void> {
  if (!hasLibxmlsec()) throw new Error('python3-xmlsec is not installed: apt-get install -y python3-xmlsec')
  const stateDir = mkdtempSync(join(tmpdir(), 'ehagent-references-'))
  let sandbox: SandboxProcess | undefined
  let agent: AgentProcess | undefined
  let load: LoadGenerator | undefined
  try {
    load = await startLoadGenerator()
    sandbox = await startSandboxProcess(join(stateDir, 'sandbox'))
    const agentStateDir = join(stateDir, 'agent')
    agent = await startAgentProcess({ stateDir: agentStateDir, port: await freePort(), sandboxUrl: sandbox.url })
    const credential = await signInAsDoctor(agent, agentStateDir)
    const key = doctorKey(sandbox)
    const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString()
    const envelope = makeEnvelope(4096)
    const request = soapSignRequest(agent.port, envelope, credential)
    const okMarker = Buffer.from('"result"')
    await load.closed({ port: agent.port, request, okMarker, concurrency: 16, seconds: 2 }) // warm-up

    const rounds: Round[] = []
    log(`${ROUNDS} rounds, ${SECONDS} s of 16 clients per server, 4 KB, ${availableParallelism()} cores`)
    for (let i = 0; i < ROUNDS; i++) {
      const rawRsaPerSec = measureRawRsa(key)
      const cpu0 = { all: cpuMs(agent.pid), main: cpuMs(agent.pid, agent.pid) }
      const ticks0 = machineTicks()
      const run = await load.closed({ port: agent.port, request, okMarker, concurrency: 16, seconds: SECONDS })
      const idleCpuPct = idlePercent(ticks0, machineTicks())
      const agentMainThreadCpuUsPerSign = ((cpuMs(agent.pid, agent.pid) - cpu0.main) * 1000) / run.count
      const servers = { agent: { perSec: run.count / run.seconds, cpuUsPerSign: ((cpuMs(agent.pid) - cpu0.all) * 1000) / run.count, idleCpuPct } } as Round['servers']
      for (const kind of REFERENCE_KINDS) servers[kind] = await measureReferenceServer(load, kind, keyPem, envelope, SECONDS)
      const libxmlsecPerSec = measureLibxmlsec(keyPem, envelope, 3, []).perSec
      const round: Round = { rawRsaPerSec, libxmlsecPerSec, loadGeneratorCpuUsPerSign: run.cpuUs / run.count, agentMainThreadCpuUsPerSign, servers }
      rounds.push(round)
      printRound(i + 1, round)
    }
    process.stdout.write(JSON.stringify({ rounds: rounds.map(rounded), cores: availableParallelism() }) + '\n')
  } finally {
    if (load) await load.stop()
    if (agent) await stopProcess(agent.child)
    if (sandbox) await stopProcess(sandbox.child)
    rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  }
}

/** µs of machine CPU per signature at `perSec` signatures/s, every core busy. */
function budgetUs(perSec: number): number {
  return (availableParallelism() * 1e6) / perSec
}

function printRound(n: number, r: Round): void {
  const ratioBudget = budgetUs(RATIO_TARGET * r.rawRsaPerSec)
  const libBudget = budgetUs(LIBXMLSEC_TARGET * r.libxmlsecPerSec)
  log(`round ${n}: one core's RSA ${r.rawRsaPerSec.toFixed(0)}/s, libxmlsec1 ${r.libxmlsecPerSec.toFixed(0)}/s, load generator ${r.loadGeneratorCpuUsPerSign.toFixed(0)} µs per signature`)
  log(`  CPU budget per signature, server and load generator: ${ratioBudget.toFixed(0)} µs at ${RATIO_TARGET}× RSA, ${libBudget.toFixed(0)} µs at ${LIBXMLSEC_TARGET}× libxmlsec1`)
  for (const [name, s] of Object.entries(r.servers)) {
    const used = s.cpuUsPerSign + r.loadGeneratorCpuUsPerSign
    const fits = (budget: number) => (used <= budget ? 'fits' : `over by ${(used - budget).toFixed(0)} µs`)
    log(`  ${name.padEnd(16)} ${s.perSec.toFixed(0).padStart(5)}/s  ${(s.perSec / r.rawRsaPerSec).toFixed(2)}× RSA  ${(s.perSec / r.libxmlsecPerSec).toFixed(2)}× libxmlsec1  ${s.cpuUsPerSign.toFixed(0)} µs CPU per signature (${RATIO_TARGET}× RSA: ${fits(ratioBudget)}; ${LIBXMLSEC_TARGET}× libxmlsec1: ${fits(libBudget)}), cores ${s.idleCpuPct.toFixed(0)}% idle`)
  }
  const main = r.agentMainThreadCpuUsPerSign
  log(`  the agent's event loop: ${main.toFixed(0)} µs per signature, ${((100 * main * r.servers.agent.perSec) / 1e6).toFixed(0)}% of one core busy`)
}

function rounded(r: Round) {
  const servers = Object.fromEntries(Object.entries(r.servers).map(([k, s]) => [k, { perSec: Math.round(s.perSec), ratio: round3(s.perSec / r.rawRsaPerSec), vsLibxmlsec: round3(s.perSec / r.libxmlsecPerSec), cpuUsPerSign: Math.round(s.cpuUsPerSign), idleCpuPct: Math.round(s.idleCpuPct) }]))
  return { rawRsaPerSec: Math.round(r.rawRsaPerSec), libxmlsecPerSec: Math.round(r.libxmlsecPerSec), loadGeneratorCpuUsPerSign: Math.round(r.loadGeneratorCpuUsPerSign), agentMainThreadCpuUsPerSign: Math.round(r.agentMainThreadCpuUsPerSign), servers }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000
}

function log(line: string): void {
  process.stdout.write(line + '\n')
}

await main()
