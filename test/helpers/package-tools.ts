import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs'
import { snapshotTree } from './snapshot-tree.js'

/** What a command printed and how it ended (never throws for a non-zero exit). */
export interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command without a shell, with a time limit (SIGKILL), collecting its output. */
export function run(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd ?? '/', env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject((error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`${file} is not installed`) : error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** The Debian package of each tool the packaging tests use: a missing one fails with this hint. */
const TOOLS: Record<string, string> = {
  'dpkg-deb': 'dpkg',
  'dpkg-shlibdeps': 'dpkg-dev',
  lintian: 'lintian',
  wixl: 'wixl',
  msiinfo: 'msitools',
  msiextract: 'msitools',
  strip: 'binutils',
  'g++': 'g++',
  make: 'make',
  file: 'file',
  runuser: 'util-linux',
}

/** Fails loudly, naming the `apt-get install` that fixes it, when a tool is missing. */
export async function requireTools(names: string[]): Promise<void> {
  const missing: string[] = []
  for (const name of names) {
    const found = await run('sh', ['-c', `command -v ${name}`])
    if (found.code !== 0) missing.push(name)
  }
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((m) => TOOLS[m] ?? m))]
    throw new Error(`${missing.join(', ')} not installed: sudo apt-get install -y ${packages.join(' ')}`)
  }
}

/**
 * dpkg, retried while another dpkg or apt holds its lock (exit 2, "dpkg frontend lock"): the
 * machine is shared, and a test must not fail because someone else installs a package.
 */
export async function runDpkg(args: string[]): Promise<Ran> {
  const deadline = Date.now() + 180_000
  for (;;) {
    const result = await run('dpkg', args, { timeoutMs: 300_000 })
    if (result.code === 2 && /lock/i.test(result.stderr) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000))
      continue
    }
    return result
  }
}

/** Whether a package is installed (or its configuration is left): dpkg-query's status. */
export async function isInstalled(name: string): Promise<boolean> {
  const status = await run('dpkg-query', ['-W', '-f=${Status}', name])
  return status.code === 0 && !/not-installed/.test(status.stdout)
}

/** Paths as comparable data: absent, a link and its target, a file's bytes, or a whole tree. */
export function snapshotPaths(paths: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const path of paths) {
    if (!existsSync(path) && !isLink(path)) out[path] = 'absent'
    else if (isLink(path)) out[path] = `link ${readlinkSync(path)}`
    else if (lstatSync(path).isDirectory()) out[path] = snapshotTree(path)
    else out[path] = readFileSync(path).toString('base64')
  }
  return out
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

/**
 * Starts `ehagent start --env sandbox` from an installed command and waits for /health; the
 * caller stops it with `stop()`.
 */
export async function startInstalledAgent(command: string, port: number, stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(command, ['start', '--env', 'sandbox', '--port', String(port), '--state-dir', stateDir], { cwd: '/', env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
  let exited: number | null | undefined
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : null)
      resolve(exited)
    }),
  )
  const deadline = Date.now() + 120_000
  for (;;) {
    if (exited !== undefined) throw new Error(`${command} start exited (${exited}) before answering /health:\n${output}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${command} start did not answer /health within 120 s:\n${output}`)
    }
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      async (r) => r.ok && ((await r.json()) as { service?: string }).service === 'ehealth-agent',
      () => false,
    )
    if (ok) break
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      if (exited === undefined) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await exit
      clearTimeout(timer)
      return code
    },
  }
}
