import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sharedSandboxPki } from './sandbox-pki.js'
import { freePort } from './start-test-agent.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const ENTRY = join(ROOT, 'test', 'helpers', 'ehagent-from-source.ts')

/** A real agent in its own process: `ehagent start --env sandbox --demo --port P --state-dir D`. */
export interface AgentProcess {
  child: ChildProcess
  pid: number
  /** What the process printed on stdout so far (the banner). */
  stdout(): string
  port: number
  url: string
  stateDir: string
  /** The local credential (same-user CLI), from the credential file the agent wrote. */
  credential: string
  /** What the process printed on stderr so far. */
  stderr(): string
  /** Resident set size now, from /proc/<pid>/status, in bytes. */
  rssBytes(): number
  /** A full garbage collection in the agent (SIGUSR2 hook of ehagent-from-source.ts); its memory after it. */
  collectGarbage(): Promise<NodeJS.MemoryUsage>
  /** The URLs of the modules the agent process has loaded (the same SIGUSR2 hook). */
  loadedModules(): Promise<string[]>
  /** Exit code or signal, once it exited; undefined while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>
  /** SIGKILL (a crash, a power cut for the process), and wait for the exit. */
  kill9(): Promise<void>
}

/**
 * Start the agent from source in a child process with `--demo` (prompts are answered with the
 * sandbox's public demo secrets); it starts `ehagent sandbox` as its own child, unless `args`
 * name `--sandbox-url`. With `environment` acc, prod or int: `--env` that, no `--demo`, and a
 * state directory left empty. The state directory gets a copy of the test run's shared sandbox PKI, so
 * the sandbox does not generate keys (about 1.5 s instead of several). `stateDir` and `port`
 * restart an agent where an earlier one ran (after a kill -9, say).
 */
export async function spawnAgentProcess(
  options: { timeoutMs?: number; args?: readonly string[]; stateDir?: string; port?: number; environment?: 'sandbox' | 'int' | 'acc' | 'prod' } = {},
): Promise<AgentProcess> {
  // A given state directory is reused as it is (an agent started again after a crash).
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'agent-process-'))
  const environment = options.environment ?? 'sandbox'
  if (environment === 'sandbox' && !existsSync(join(stateDir, 'sandbox', 'pki'))) {
    const pki = await sharedSandboxPki()
    mkdirSync(join(stateDir, 'sandbox'), { recursive: true })
    cpSync(pki.dir, join(stateDir, 'sandbox', 'pki'), { recursive: true })
  }
  const port = options.port ?? (await freePort())
  // A real environment: nothing but the command line, on an empty state directory.
  const demo = environment === 'sandbox' ? ['--demo'] : []
  const args = ['--expose-gc', '--import', 'tsx', ENTRY, 'start', '--env', environment, ...demo, '--port', String(port), '--state-dir', stateDir, ...(options.args ?? [])]
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  let stdout = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (d: string) => (stderr += d))
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (d: string) => (stdout += d))
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal }
      resolve()
    })
  })

  const url = `http://127.0.0.1:${port}`
  const discoveryFile = join(stateDir, 'run', 'agent.json')
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    if (exited) throw new Error(`the agent process exited during start-up (${JSON.stringify(exited)}):\n${stderr}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the agent process did not answer /health within ${options.timeoutMs ?? 30_000} ms:\n${stderr}`)
    }
    // The discovery file of this process (one left by a killed predecessor names another pid),
    // written after the credential file: both are this run's once it names our pid.
    if (existsSync(discoveryFile) && readDiscoveryPid(discoveryFile) === child.pid) {
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) break
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  const discovery = JSON.parse(readFileSync(discoveryFile, 'utf8')) as { pid: number; credentialFile: string }
  const credential = readFileSync(discovery.credentialFile, 'utf8').trim()

  /** Send SIGUSR2 (ehagent-from-source.ts's hook) and wait for the stderr line `pattern` matches. */
  async function askHook(pattern: RegExp): Promise<string> {
    const seen = stderr.length
    process.kill(discovery.pid, 'SIGUSR2')
    const deadline = Date.now() + 10_000
    for (;;) {
      const line = pattern.exec(stderr.slice(seen))
      if (line) return line[1]!
      if (exited || Date.now() > deadline) throw new Error(`the agent process did not answer its test hook:\n${stderr}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  return {
    child,
    pid: discovery.pid,
    port,
    url,
    stateDir,
    credential,
    stdout: () => stdout,
    stderr: () => stderr,
    rssBytes() {
      const status = readFileSync(`/proc/${discovery.pid}/status`, 'utf8')
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)
      if (!kb) throw new Error(`no VmRSS in /proc/${discovery.pid}/status`)
      return Number(kb[1]) * 1024
    },
    async collectGarbage() {
      return JSON.parse(await askHook(/(?:^|\n)ehagent-test-memory (\{.*\})\n/)) as NodeJS.MemoryUsage
    },
    async loadedModules() {
      return JSON.parse(await askHook(/(?:^|\n)ehagent-test-modules (\[.*\])\n/)) as string[]
    },
    exit: () => exited,
    async stop() {
      if (!exited) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exitPromise
      clearTimeout(timer)
    },
    async kill9() {
      if (!exited) child.kill('SIGKILL')
      await exitPromise
    },
  }
}

function readDiscoveryPid(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid
  } catch {
    return undefined // being written
  }
}

