/**
 * `npm run bench`: how fast the agent signs, measured against what this machine's RSA can do,
 * all in one run so the ratios mean something (README, "Performance": speed is measured here, never
 * asserted in tests).
 *
 * The agent runs as its own process (`ehagent start --demo`, which starts `ehagent sandbox` as its
 * child; the RSS measured is the agent's alone), as it would in production; this process only
 * generates load. The last line printed is one JSON object with the figures.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createPrivateKey, sign } from 'node:crypto'
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPkcs12 } from '../../agent/keys/open-pkcs12.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { measureConnectionCost, measureLookup } from './caller-lookup.js'
import { freePort } from '../helpers/start-test-agent.js'

const CONCURRENCY = 16
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const root = new URL('../../', import.meta.url).pathname

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'ehagent-bench-'))
  const port = await freePort()
  let agent: { child: ChildProcess; startupMs: number } | undefined
  try {
    // First start creates the sandbox PKI; it is not what start-up time measures.
    agent = await startAgentProcess(stateDir, port)
    await stopAgentProcess(agent.child)
    agent = await startAgentProcess(stateDir, port)
    const startupMs = agent.startupMs
    await new Promise((r) => setTimeout(r, 1500))
    const idleRssMb = rssMb(agent.child.pid!)

    const credential = readFileSync(join(stateDir, 'run', 'credential'), 'utf8').trim()
    const client = new AgentClient({ url: `http://127.0.0.1:${port}`, credential })
    await client.call('session.login', { profile: 'doctor' })

    const keyPem = doctorKeyPem(stateDir)
    const rawRsaPerSec = measureRawRsa(keyPem)
    log(`raw RSA-2048 (one core, same key): ${rawRsaPerSec.toFixed(0)} signatures/s`)

    const envelope = makeEnvelope(4096)
    for (let i = 0; i < 50; i++) await client.call('soap.sign', { envelope }) // warm-up
    const { perSec, p50, p99 } = await loadTest(port, credential, envelope)
    log(`soap.sign over HTTP, 4 KB, ${CONCURRENCY} concurrent clients: ${perSec.toFixed(0)} envelopes/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`)

    const mb1Ms = await timeOne(client, makeEnvelope(1024 * 1024))
    const mb10Ms = await timeOne(client, makeEnvelope(10 * 1024 * 1024))
    log(`1 MB envelope: ${mb1Ms.toFixed(0)} ms; 10 MB envelope: ${mb10Ms.toFixed(0)} ms`)
    log(`idle RSS ${idleRssMb.toFixed(1)} MB; start-up ${startupMs.toFixed(0)} ms`)

    // Who is calling: found once per connection (agent/callers); Linux only.
    const lookup = process.platform === 'linux' ? await measureLookup() : undefined
    const connection = await measureConnectionCost(port, credential)
    if (lookup) log(`caller lookup (/proc, ${lookup.processes} processes): p50 ${lookup.p50.toFixed(2)} ms, p99 ${lookup.p99.toFixed(2)} ms per connection`)
    log(`agent.status: p50 ${connection.fresh.toFixed(2)} ms on a fresh connection (lookup included), ${connection.keptAlive.toFixed(2)} ms kept alive (lookup cached)`)

    const libxmlsec = measureLibxmlsec(keyPem, envelope)
    if (libxmlsec !== undefined) log(`libxmlsec1 (python3-xmlsec, in-process, one core) signs the same 4 KB envelope ${libxmlsec.toFixed(0)}/s`)
    else log('python3-xmlsec not installed: no libxmlsec1 comparison (apt-get install -y python3-xmlsec)')

    await stopAgentProcess(agent.child)
    agent = undefined
    const report = {
      signPerSec: round(perSec),
      rawRsaPerSec: round(rawRsaPerSec),
      ratio: round(perSec / rawRsaPerSec, 3),
      p50Ms: round(p50, 2),
      p99Ms: round(p99, 2),
      mb1Ms: round(mb1Ms),
      mb10Ms: round(mb10Ms),
      idleRssMb: round(idleRssMb, 1),
      startupMs: round(startupMs),
      concurrency: CONCURRENCY,
      ...(lookup ? { callerLookupP50Ms: round(lookup.p50, 2), callerLookupP99Ms: round(lookup.p99, 2), procProcesses: lookup.processes } : {}),
      freshConnectionP50Ms: round(connection.fresh, 2),
      keptAliveP50Ms: round(connection.keptAlive, 2),
      ...(libxmlsec !== undefined ? { libxmlsecPerSec: round(libxmlsec) } : {}),
    }
    process.stdout.write(JSON.stringify(report) + '\n')
  } finally {
    if (agent) await stopAgentProcess(agent.child)
    rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  }
}

async function startAgentProcess(stateDir: string, port: number): Promise<{ child: ChildProcess; startupMs: number }> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [join(root, 'bin/ehagent.js'), 'start', '--env', 'sandbox', '--demo', '--port', String(port), '--state-dir', stateDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the agent exited during start-up:\n${stderr}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`)
      if (res.ok) break
    } catch {
      /* not yet */
    }
    if (performance.now() - t0 > 60_000) throw new Error(`the agent did not start within 60 s:\n${stderr}`)
    await new Promise((r) => setTimeout(r, 10))
  }
  return { child, startupMs: performance.now() - t0 }
}

function stopAgentProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** Synchronous signing on this thread: one core's RSA-2048 rate with the agent's own key. */
function measureRawRsa(keyPem: string): number {
  const key = createPrivateKey(keyPem)
  const data = Buffer.alloc(400, 7) // a SignedInfo is ~400 bytes
  const end = performance.now() + 3000
  let n = 0
  while (performance.now() < end) {
    sign('sha256', data, key)
    n++
  }
  return n / 3
}

/** The demo doctor's private key, out of the sandbox keystore the agent signs with. */
function doctorKeyPem(stateDir: string): string {
  const pkiDir = join(stateDir, 'sandbox', 'pki')
  const manifest = JSON.parse(readFileSync(join(pkiDir, 'manifest.json'), 'utf8')) as { keystores: { id: string; p12: string; password: string }[] }
  const entry = manifest.keystores.find((k) => k.id === 'doctor')!
  const { privateKey } = openPkcs12(readFileSync(join(pkiDir, entry.p12)), entry.password)
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

/**
 * Load from 16 concurrent keep-alive connections with a pre-serialized body, through node:http:
 * the load generator shares the machine's two cores with the agent, so it must stay cheap, or
 * the bench measures the client instead of the agent.
 */
async function loadTest(port: number, credential: string, envelope: string): Promise<{ perSec: number; p50: number; p99: number }> {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope } }))
  const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY })
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${credential}`, 'Content-Length': body.length }
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/rpc', method: 'POST', agent, headers }, (res) => {
        let size = 0
        let ok = false
        res.on('data', (c: Buffer) => {
          if (size === 0) ok = c.includes('"result"')
          size += c.length
        })
        res.on('end', () => (res.statusCode === 200 && ok ? resolve() : reject(new Error(`soap.sign failed: HTTP ${res.statusCode}`))))
      })
      req.on('error', reject)
      req.end(body)
    })
  const latencies: number[] = []
  const end = performance.now() + LOAD_SECONDS * 1000
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now()
      await once()
      latencies.push(performance.now() - t)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const seconds = (performance.now() - t0) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!
  return { perSec: latencies.length / seconds, p50: pct(0.5), p99: pct(0.99) }
}

async function timeOne(client: AgentClient, envelope: string): Promise<number> {
  const t = performance.now()
  await client.call('soap.sign', { envelope })
  return performance.now() - t
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

/** libxmlsec1 through Debian's python3-xmlsec, signing the same envelope, for comparison. */
function measureLibxmlsec(keyPem: string, envelope: string): number | undefined {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import xmlsec, lxml'])
  if (probe.status !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'bench-xmlsec-'))
  try {
    writeFileSync(join(dir, 'env.xml'), envelope)
    writeFileSync(join(dir, 'key.pem'), keyPem, { mode: 0o600 })
    const script = `
import time, xmlsec
from lxml import etree
key = xmlsec.Key.from_file(${JSON.stringify(join(dir, 'key.pem'))}, xmlsec.constants.KeyDataFormatPem)
data = open(${JSON.stringify(join(dir, 'env.xml'))}, 'rb').read()
NS = 'http://schemas.xmlsoap.org/soap/envelope/'
def once():
    doc = etree.fromstring(data)
    body = doc.find('{%s}Body' % NS)
    body.set('Id', 'id-1')
    sig = xmlsec.template.create(doc, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256)
    doc.insert(0, sig)
    ref = xmlsec.template.add_reference(sig, xmlsec.constants.TransformSha256, uri='#id-1')
    xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
    ctx = xmlsec.SignatureContext()
    ctx.register_id(body, 'Id')
    ctx.key = key
    ctx.sign(sig)
    etree.tostring(doc)
end = time.time() + 3
n = 0
while time.time() < end:
    once(); n += 1
print(n / 3)
`
    const res = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' })
    return res.status === 0 ? Number(res.stdout.trim()) : undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function log(line: string): void {
  process.stdout.write(line + '\n')
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`)
  process.exit(1)
})
