/**
 * The programs the bench measures, each in a process of its own as in production: `ehagent
 * sandbox` (the simulated eHealth) and `ehagent start --sandbox-url` (the agent alone, so its
 * start-up and memory are its own), plus what the bench reads about them from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { KeyObject } from 'node:crypto'
import { get as httpGet, request as httpRequest } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPkcs12 } from '../../agent/keys/open-pkcs12.js'
import { DAEMON_NODE_OPTIONS } from '../../installer/daemon-node-options.js'

const root = new URL('../../', import.meta.url).pathname
const EHAGENT = join(root, 'bin/ehagent.js')

export interface SandboxProcess {
  child: ChildProcess
  url: string
  /** From spawn to its ready line. */
  startMs: number
  manifest: { keystores: { id: string; p12Path: string; password: string }[] }
}

/** `ehagent sandbox --demo --json`: resolves on its ready line (a first start makes its test PKI). */
export async function startSandboxProcess(sandboxDir: string): Promise<SandboxProcess> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [EHAGENT, 'sandbox', '--json', '--demo', '--port', '0', '--sandbox-dir', sandboxDir, '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const line = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const nl = out.indexOf('\n')
      if (nl >= 0) resolve(out.slice(0, nl))
    })
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before it was ready:\n${stderr}`)))
  })
  const startMs = performance.now() - t0
  const ready = JSON.parse(line) as { url: string; manifest: string }
  const manifest = JSON.parse((await httpText(ready.manifest)).body) as SandboxProcess['manifest']
  return { child, url: ready.url, startMs, manifest }
}

export interface AgentProcess {
  child: ChildProcess
  pid: number
  port: number
  /** From spawn to the first 200 answer of GET /health. */
  startupMs: number
  stderr: () => string
}

/**
 * `ehagent start --env sandbox --demo --sandbox-url URL`: the agent alone, timed from spawn to
 * the first answer of GET /health (polled every 5 ms over node:http: no `fetch`, whose first use
 * would cost this process some 100 ms of its own).
 */
export async function startAgentProcess(options: { stateDir: string; port: number; sandboxUrl?: string; nodeFlags?: string[] }): Promise<AgentProcess> {
  const t0 = performance.now()
  // The Node options the installed service starts the daemon with (installer/daemon-node-options.ts).
  const args = [...DAEMON_NODE_OPTIONS, ...(options.nodeFlags ?? []), EHAGENT, 'start', '--env', 'sandbox', '--demo', '--port', String(options.port), '--state-dir', options.stateDir]
  if (options.sandboxUrl) args.push('--sandbox-url', options.sandboxUrl)
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the agent exited during start-up:\n${stderr}`)
    if ((await healthStatus(options.port)) === 200) break
    if (performance.now() - t0 > 120_000) throw new Error(`the agent did not start within 120 s:\n${stderr}`)
    await sleep(5)
  }
  return { child, pid: child.pid!, port: options.port, startupMs: performance.now() - t0, stderr: () => stderr }
}

/**
 * The local credential the agent writes once its port is its own: the first /health answer can
 * come before the file is written, so wait for it (up to 10 s).
 */
export async function readCredential(stateDir: string): Promise<string> {
  const file = join(stateDir, 'run', 'credential')
  for (let waited = 0; ; waited += 10) {
    try {
      const credential = readFileSync(file, 'utf8').trim()
      if (credential) return credential
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || waited > 10_000) throw err
    }
    await sleep(10)
  }
}

/** SIGTERM, and wait until it has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

function healthStatus(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', () => resolve(undefined))
  })
}

/** Sign the agent in with the sandbox's doctor profile; its local credential. */
export async function signInAsDoctor(agent: AgentProcess, stateDir: string): Promise<string> {
  const credential = await readCredential(stateDir)
  const login = await callAgent(agent.port, credential, 'session.login', { profile: 'doctor' })
  if (login.status !== 200 || !login.body.includes('"result"')) throw new Error(`session.login failed: ${login.body}`)
  return credential
}

/** The private key of the sandbox's doctor keystore: the key the agent signs with once signed in as the doctor. */
export function doctorKey(sandbox: SandboxProcess): KeyObject {
  const keystore = sandbox.manifest.keystores.find((k) => k.id === 'doctor')!
  return openPkcs12(readFileSync(keystore.p12Path), keystore.password).privateKey
}

/** One JSON-RPC call with the local credential over node:http (Content-Length framed). */
export async function callAgent(port: number, credential: string, method: string, params: unknown): Promise<{ status: number; body: string }> {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))
  return httpText(`http://127.0.0.1:${port}/rpc`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, 'content-length': String(body.length) } })
}

export function httpText(url: string, options: { method?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Resident set size of a process, MB (VmRSS: what `ps` and the task manager show). */
export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
}

/** Its anonymous part, MB: the process's own memory, without the mapped executable and libraries. */
export function rssAnonMb(pid: number): number {
  return Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
}

/**
 * CPU time (user + system) in ms of a whole process, or of one thread with `tid` (the main
 * thread's tid is the pid). /proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms.
 */
export function cpuMs(pid: number, tid?: number): number {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The machine's CPU ticks so far, idle (idle + iowait) and all: the first line of /proc/stat (proc(5)). */
export function machineTicks(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number)
  return { idle: fields[3]! + fields[4]!, total: fields.reduce((a, b) => a + b, 0) }
}

/** The share of all cores left idle between two {@link machineTicks} readings, in %. */
export function idlePercent(before: { idle: number; total: number }, after: { idle: number; total: number }): number {
  const total = after.total - before.total
  return total > 0 ? (100 * (after.idle - before.idle)) / total : 0
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
