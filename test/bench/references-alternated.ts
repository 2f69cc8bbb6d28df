/**
 * `npm run bench:references`: the agent and the bench's reference servers (reference-servers.ts)
 * in alternated rounds, so that a busy spell of a shared machine does not fall on one of them
 * only. Each round: 4 s of the 16-client 4 KB load on the agent and on each reference server, in
 * an order that rotates from round to round, and libxmlsec1's in-process rate on the same
 * envelope (python3-xmlsec); one core's raw RSA with the agent's key before and after the round
 * (their mean is the round's). BENCH_ROUNDS (default 5) sets the number of rounds.
 *
 * Per round and server it prints the rate as a multiple of one core's RSA and of libxmlsec1, the
 * CPU time per signature (the server's, its event loop's for the agent, the load generator's),
 * the share of the cores left idle and the share nobody measured here (the kernel's work charged
 * to no process of the run, other processes), and its margin against the CPU budget of the two
 * rate targets of `npm run bench`: at N signatures/s the cores give each signature cores / N s
 * of CPU, for the server and its load generator together. A server over that budget cannot sign
 * N per second here doing its work as it did in the round (CPU per signature falls somewhat as
 * the rate rises, so a small margin says little). The README's "What two cores allow" is made
 * of these figures. The last line is one JSON object with every round.
 */
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope } from '../helpers/envelopes.js'
import { freePort } from '../helpers/start-test-agent.js'
import { doctorKey, signInAsDoctor, startAgentProcess } from './agent-process.js'
import { withBenchProcesses } from './bench-processes.js'
import { hasLibxmlsec, measureLibxmlsec } from './libxmlsec.js'
import { soapSignRequest } from './load-client.js'
import { measureServer, OK_MARKER, type ServerRun } from './measure-server.js'
import { measureRawRsa } from './raw-rsa.js'
import { REFERENCE_KINDS } from './reference-kinds.js'
import { measureReferenceServer } from './reference-servers.js'

const SECONDS = 4
const RATIO_TARGET = 1.2
const LIBXMLSEC_TARGET = 1.5
const SERVERS = ['agent', ...REFERENCE_KINDS] as const
type ServerName = (typeof SERVERS)[number]

interface Round {
  rawRsaPerSec: number
  libxmlsecPerSec: number
  servers: Record<ServerName, ServerRun>
}

function rounds(): number {
  const value = process.env.BENCH_ROUNDS ?? '5'
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_ROUNDS must be a whole number of rounds, 1 or more (got "${value}")`)
  return n
}

async function main(): Promise<void> {
  const roundCount = rounds()
  if (!hasLibxmlsec()) throw new Error('python3-xmlsec is not installed: apt-get install -y python3-xmlsec')
  const loadAtStart = loadavg()
  await withBenchProcesses('ehagent-references-', async (processes) => {
    const { stateDir, load, sandbox } = processes
    const agentStateDir = join(stateDir, 'agent')
    const agent = (processes.agent = await startAgentProcess({ stateDir: agentStateDir, port: await freePort(), sandboxUrl: sandbox.url }))
    const credential = await signInAsDoctor(agent, agentStateDir)
    const key = doctorKey(sandbox)
    const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString()
    const envelope = makeEnvelope(4096)
    const request = soapSignRequest(agent.port, envelope, credential)
    await load.closed({ port: agent.port, request, okMarker: OK_MARKER, concurrency: 16, seconds: 2 }) // warm-up

    const done: Round[] = []
    log(`${roundCount} rounds, ${SECONDS} s of 16 clients per server, 4 KB, ${availableParallelism()} cores; load average ${fmtLoad(loadAtStart)}`)
    for (let i = 0; i < roundCount; i++) {
      const rsaBefore = measureRawRsa(key)
      const servers = {} as Round['servers']
      for (const name of rotate(SERVERS, i)) {
        servers[name] =
          name === 'agent'
            ? await measureServer(load, agent.pid, { port: agent.port, request, concurrency: 16, seconds: SECONDS })
            : await measureReferenceServer(load, name, keyPem, envelope, SECONDS)
      }
      const libxmlsecPerSec = measureLibxmlsec(keyPem, envelope, 3, []).perSec
      const round: Round = { rawRsaPerSec: (rsaBefore + measureRawRsa(key)) / 2, libxmlsecPerSec, servers }
      done.push(round)
      printRound(i + 1, round)
    }
    log(`load average at the end: ${fmtLoad(loadavg())}`)
    process.stdout.write(JSON.stringify({ rounds: done.map(rounded), cores: availableParallelism(), loadAverage: { start: loadAtStart, end: loadavg() } }) + '\n')
  })
}

/** The list started at position `by`, so that each server takes each place in turn. */
function rotate<T>(list: readonly T[], by: number): T[] {
  const at = by % list.length
  return [...list.slice(at), ...list.slice(0, at)]
}

/** µs of machine CPU per signature at `perSec` signatures/s, every core busy. */
function budgetUs(perSec: number): number {
  return (availableParallelism() * 1e6) / perSec
}

/** What a server and its load generator used of the machine during its run, and what nobody here accounted for, %. */
function shares(s: ServerRun): { used: number; unaccounted: number } {
  const used = (100 * (s.cpuUsPerSign + s.loadGeneratorCpuUsPerSign) * s.perSec) / (availableParallelism() * 1e6)
  return { used, unaccounted: 100 - s.idleCpuPct - used }
}

function printRound(n: number, r: Round): void {
  const ratioBudget = budgetUs(RATIO_TARGET * r.rawRsaPerSec)
  const libBudget = budgetUs(LIBXMLSEC_TARGET * r.libxmlsecPerSec)
  log(`round ${n}: one core's RSA ${r.rawRsaPerSec.toFixed(0)}/s, libxmlsec1 ${r.libxmlsecPerSec.toFixed(0)}/s; CPU budget per signature (server and load generator): ${ratioBudget.toFixed(0)} µs at ${RATIO_TARGET}× RSA, ${libBudget.toFixed(0)} µs at ${LIBXMLSEC_TARGET}× libxmlsec1`)
  for (const name of SERVERS) {
    const s = r.servers[name]
    const used = s.cpuUsPerSign + s.loadGeneratorCpuUsPerSign
    const margin = (budget: number) => `${used <= budget ? 'under' : 'over'} by ${Math.abs(used - budget).toFixed(0)} µs`
    const { unaccounted } = shares(s)
    const loop = name === 'agent' ? ` (event loop ${s.mainThreadCpuUsPerSign.toFixed(0)} µs, ${((100 * s.mainThreadCpuUsPerSign * s.perSec) / 1e6).toFixed(0)}% busy)` : ''
    log(
      `  ${name.padEnd(16)} ${s.perSec.toFixed(0).padStart(5)}/s  ${(s.perSec / r.rawRsaPerSec).toFixed(2)}× RSA  ${(s.perSec / r.libxmlsecPerSec).toFixed(2)}× libxmlsec1  ` +
        `CPU per signature ${s.cpuUsPerSign.toFixed(0)} µs${loop} + load generator ${s.loadGeneratorCpuUsPerSign.toFixed(0)} µs: ` +
        `${margin(ratioBudget)} at ${RATIO_TARGET}× RSA, ${margin(libBudget)} at ${LIBXMLSEC_TARGET}× libxmlsec1; cores ${s.idleCpuPct.toFixed(0)}% idle, ${unaccounted.toFixed(0)}% unaccounted`,
    )
  }
}

function rounded(r: Round) {
  const servers = Object.fromEntries(
    SERVERS.map((name) => {
      const s = r.servers[name]
      return [
        name,
        {
          perSec: Math.round(s.perSec),
          ratio: round3(s.perSec / r.rawRsaPerSec),
          vsLibxmlsec: round3(s.perSec / r.libxmlsecPerSec),
          cpuUsPerSign: Math.round(s.cpuUsPerSign),
          mainThreadCpuUsPerSign: Math.round(s.mainThreadCpuUsPerSign),
          loadGeneratorCpuUsPerSign: Math.round(s.loadGeneratorCpuUsPerSign),
          idleCpuPct: Math.round(s.idleCpuPct),
          unaccountedCpuPct: Math.round(shares(s).unaccounted),
        },
      ]
    }),
  )
  return { rawRsaPerSec: Math.round(r.rawRsaPerSec), libxmlsecPerSec: Math.round(r.libxmlsecPerSec), servers }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000
}

function fmtLoad(l: number[]): string {
  return l.map((x) => x.toFixed(2)).join(' ')
}

function log(line: string): void {
  process.stdout.write(line + '\n')
}

await main()
