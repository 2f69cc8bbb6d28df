import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sharedSandboxPki } from './sandbox-pki.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const ENTRY = join(ROOT, 'test', 'helpers', 'ehagent-from-source.ts')

/** A real sandbox in its own process: `ehagent sandbox --port 0 --json --state-dir D [--demo]`. */
export interface SandboxProcess {
  child: ChildProcess
  pid: number
  url: string
  port: number
  stateDir: string
  stderr(): string
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>
}

/**
 * Start the sandbox from source in a process of its own and wait for its ready line. Its state
 * directory gets a copy of the test run's shared sandbox PKI, so it generates no keys.
 */
export async function spawnSandboxProcess(options: { demo?: boolean; fault?: string; timeoutMs?: number } = {}): Promise<SandboxProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-process-'))
  const pki = await sharedSandboxPki()
  mkdirSync(join(stateDir, 'sandbox'), { recursive: true })
  cpSync(pki.dir, join(stateDir, 'sandbox', 'pki'), { recursive: true })
  const args = ['--import', 'tsx', ENTRY, 'sandbox', '--port', '0', '--json', '--state-dir', stateDir]
  if (options.demo) args.push('--demo')
  if (options.fault) args.push('--fault', options.fault)
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8')
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (d: string) => (stderr += d))
  let exited = false
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())))
  const ready = await new Promise<{ url: string; port: number; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the sandbox process was not ready within ${options.timeoutMs ?? 60_000} ms:\n${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.stdout!.on('data', (d: string) => {
      stdout += d
      const line = stdout.split('\n').find((l) => l.startsWith('{'))
      if (!line) return
      clearTimeout(timer)
      resolve(JSON.parse(line) as { url: string; port: number; pid: number })
    })
    void exit.then(() => {
      clearTimeout(timer)
      reject(new Error(`the sandbox process exited before it was ready:\n${stderr}`))
    })
  })
  return {
    child,
    pid: ready.pid,
    url: ready.url,
    port: ready.port,
    stateDir,
    stderr: () => stderr,
    async stop() {
      if (!exited) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exit
      clearTimeout(timer)
    },
  }
}
