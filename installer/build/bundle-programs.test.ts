import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Metafile } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFrameDecoder, encodeFrame, type FrameEvent } from '../../clients/browser-extension/host/native-messaging-frames.js'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { freePort } from '../../test/helpers/start-test-agent.js'
import { BUNDLE_DIR, bundledProgramPath } from '../bundle-layout.js'
import { bundlePrograms, listBundleExternals } from './bundle-programs.js'

// The bundle is built here from the current sources, into a scratch copy of an installation made
// of nothing else: package.json, bin/ehagent.js, dist/bundle/, the CA bundles in
// dist/agent/trust/ca-bundles, and a node_modules holding only the externals. No tsc output and
// no bundled dependency is there to fall back on, so whatever runs in that copy is the bundle.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
const scratch = mkdtempSync(join(tmpdir(), 'bundle-programs-'))
const TREE = join(scratch, 'ehealth-agent')
const EHAGENT = join(TREE, 'bin', 'ehagent.js')
const ORIGIN = 'chrome-extension://genikcfmigceelnkkckhdkieobalmnob/'
/** No graphical session: the agent asks in its terminal and starts no tray helper. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'DISPLAY' && name !== 'WAYLAND_DISPLAY'))
const children: ChildProcess[] = []
const EXTERNALS = listBundleExternals(ROOT)

let metafile: Metafile

beforeAll(async () => {
  mkdirSync(join(TREE, 'bin'), { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(TREE, 'package.json'))
  cpSync(join(ROOT, 'bin', 'ehagent.js'), EHAGENT)
  metafile = await bundlePrograms({ repoRoot: ROOT, outRoot: TREE })
  cpSync(join(ROOT, 'agent', 'trust', 'ca-bundles'), join(TREE, 'dist', 'agent', 'trust', 'ca-bundles'), { recursive: true })
  mkdirSync(join(TREE, 'node_modules'))
  // pkcs11js is optional: a machine without a C++ toolchain has none, and the agent starts without it.
  for (const name of EXTERNALS) if (existsSync(join(ROOT, 'node_modules', name))) symlinkSync(join(ROOT, 'node_modules', name), join(TREE, 'node_modules', name))
}, 60_000)

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  rmSync(scratch, { recursive: true, force: true })
})

/** The metafile's outputs by path relative to the scratch installation. */
function outputs(): [string, Metafile['outputs'][string]][] {
  return Object.entries(metafile.outputs).map(([path, output]) => [resolve(ROOT, path).slice(TREE.length + 1), output])
}

/** The inputs (source paths relative to the repository) of the output of `entryPoint` and of every chunk it imports statically: what loading it loads. */
function staticallyLoadedInputs(entryPoint: string): string[] {
  const byPath = new Map(Object.entries(metafile.outputs))
  const start = [...byPath].find(([, o]) => o.entryPoint === entryPoint)
  if (!start) throw new Error(`no output for ${entryPoint}`)
  const seen = new Set<string>()
  const pending = [start[0]]
  while (pending.length) {
    const path = pending.pop()!
    if (seen.has(path)) continue
    seen.add(path)
    for (const i of byPath.get(path)!.imports) if (i.kind === 'import-statement' && !i.external) pending.push(i.path)
  }
  return [...seen].flatMap((path) => Object.keys(byPath.get(path)!.inputs))
}

describe('the bundle, as esbuild reports it (metafile)', () => {
  it('writes one file per program where bin/ehagent.js and the installer look for it', () => {
    const files = outputs().map(([path]) => path)
    expect(files).toEqual(expect.arrayContaining([bundledProgramPath('ehagent').join('/'), bundledProgramPath('native-host').join('/')]))
    expect(files.every((f) => f.startsWith(`${BUNDLE_DIR.join('/')}/`))).toBe(true)
    expect(readFileSync(join(ROOT, 'bin', 'ehagent.js'), 'utf8')).toContain(`import('../${bundledProgramPath('ehagent').join('/')}')`)
  })

  it('leaves no package to load from node_modules but the declared externals: every other import is a Node.js built-in', () => {
    const builtins = new Set(builtinModules)
    const external = outputs().flatMap(([file, o]) => o.imports.filter((i) => i.external).map((i) => ({ file: basename(file), kind: i.kind, path: i.path })))
    const packages = external.filter((i) => !i.path.startsWith('node:') && !builtins.has(i.path))
    expect(packages.filter((i) => !EXTERNALS.includes(i.path))).toEqual([])
    // The check sees imports at all: built-ins, and systray2 from the tray's chunk.
    expect(external.some((i) => i.path === 'node:crypto')).toBe(true)
    expect(packages.map((i) => i.path)).toContain('systray2')
  })

  it('loads one CommonJS package by dynamic import, undici, whose loader takes its `default` (the only export such a chunk has)', () => {
    // Node gives `import()` of a CommonJS package named exports too; the bundle's chunk only
    // `default`: code that imports one lazily must read `default` (agent/net/http-client.ts).
    const commonJsChunks = outputs().filter(([, o]) => o.entryPoint?.startsWith('node_modules/') && o.exports.length === 1 && o.exports[0] === 'default')
    // (That undici's does is the sign-in of the test below.)
    expect(commonJsChunks.map(([, o]) => o.entryPoint)).toEqual(['node_modules/undici/index.js'])
  })

  it('keeps the programs apart: the CLI loads no daemon, sandbox or installer code, the daemon none of the sandbox', () => {
    const cli = staticallyLoadedInputs('clients/cli/main.ts')
    expect(cli).toContain('clients/cli/run-cli.ts')
    expect(cli.filter((i) => i.startsWith('agent/') || i.startsWith('installer/'))).toEqual([])
    const daemon = staticallyLoadedInputs('agent/main.ts')
    expect(daemon).toContain('agent/start-agent.ts')
    expect(daemon.filter((i) => i.startsWith('agent/sandbox/') || i.startsWith('clients/') || i.startsWith('installer/'))).toEqual([])
    // The sandbox, the doctor and the installer are chunks of their own, loaded by their commands.
    for (const entry of ['agent/sandbox/main.ts', 'agent/doctor/index.ts', 'installer/index.ts']) expect(staticallyLoadedInputs(entry)).toContain(entry)
    const host = staticallyLoadedInputs('clients/browser-extension/host/main.ts')
    expect(host.filter((i) => i.startsWith('agent/') || i.startsWith('installer/'))).toEqual([])
  })

  it('holds only the English messages of zod (imported as a namespace; `import { z }` would bring every locale, about 0.5 MB)', () => {
    const inputs = outputs().flatMap(([, o]) => Object.keys(o.inputs))
    const locales = inputs.filter((i) => /node_modules\/zod\/.*\/locales\//.test(i))
    expect(locales.length).toBeGreaterThan(0)
    expect(locales.filter((i) => !i.endsWith('/locales/en.js'))).toEqual([])
  })

  it('is made of files V8 accepts as ES modules (the require banner clashes with nothing)', () => {
    const files = outputs().map(([path]) => join(TREE, path)).filter((f) => f.endsWith('.js'))
    // Parsed and linked-checked by V8 without running them (vm.SourceTextModule compiles, nothing evaluates).
    const script = "const { SourceTextModule } = require('node:vm'); const { readFileSync } = require('node:fs'); for (const f of process.argv.slice(1)) { try { new SourceTextModule(readFileSync(f, 'utf8'), { identifier: f }) } catch (e) { console.log(f + ': ' + e.message) } }"
    const run = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '-e', script, ...files], { encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toBe('')
    expect(files.length).toBeGreaterThan(10)
  })
})

describe('an installation made of the bundle alone', () => {
  it('bin/ehagent.js runs it: --version', () => {
    const run = spawnSync(process.execPath, [EHAGENT, '--version'], { encoding: 'utf8', env: ENV })
    expect(run.stderr).toBe('')
    expect(run.stdout.trim()).toBe(pkg.version)
  })

  it('starts the agent against a sandbox it starts as its child from the same bundle; it signs in (undici, lazily loaded), signs, serves a page (hono, lazily loaded) and stops on SIGTERM', async () => {
    const stateDir = join(scratch, 'sandbox-state')
    // The test run's sandbox PKI, so the sandbox child does not generate keys.
    cpSync((await sharedSandboxPki()).dir, join(stateDir, 'sandbox', 'pki'), { recursive: true })
    const agent = await startAgent(['start', '--env', 'sandbox', '--demo', '--state-dir', stateDir])
    expect(await (await fetch(`${agent.url}/health`)).json()).toMatchObject({ status: 'ok' })
    const credential = readFileSync(join(stateDir, 'run', 'credential'), 'utf8').trim()
    const call = async (method: string, params: unknown) => {
      const answer = await fetch(`${agent.url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      })
      return (await answer.json()) as { result?: Record<string, unknown>; error?: unknown }
    }
    expect(await call('agent.status', {})).toMatchObject({ result: { version: pkg.version, environment: 'sandbox' } })
    expect(agent.output()).toMatch(/the sandbox runs at http:\/\/127\.0\.0\.1:\d+/)
    // The STS exchange goes through undici, a CommonJS package in a chunk of its own.
    expect(await call('session.login', { profile: 'doctor' })).toMatchObject({ result: { state: 'signed-in' } })
    const signed = await call('soap.sign', { envelope: makeEnvelope(2000) })
    expect(signed.error).toBeUndefined()
    expect(String(signed.result?.envelope)).toMatch(/<ds:SignatureValue>[A-Za-z0-9+/=\s]{300,}<\/ds:SignatureValue>/)
    // Anything but /rpc and /health is the hono app's, built at its first request.
    const css = await fetch(`${agent.url}/ui/style.css`)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(await agent.stop()).toEqual({ code: 0, signal: null })
  }, 60_000)

  it('finds the CA bundles of a real environment in dist/agent/trust/ca-bundles, and says so when they are missing', async () => {
    const agent = await startAgent(['start', '--env', 'acc', '--state-dir', join(scratch, 'acc-state')])
    expect((await fetch(`${agent.url}/health`)).status).toBe(200)
    await agent.stop()
    const bundles = join(TREE, 'dist', 'agent', 'trust', 'ca-bundles')
    renameSync(bundles, `${bundles}.away`)
    try {
      const run = spawnSync(process.execPath, [EHAGENT, 'start', '--env', 'acc', '--port', String(await freePort()), '--state-dir', join(scratch, 'acc-state-2')], { encoding: 'utf8', env: ENV, timeout: 30_000 })
      expect(run.status).not.toBe(0)
      expect(run.stderr).toContain('the eHealth CA bundles (agent/trust/ca-bundles) are missing from this installation')
    } finally {
      renameSync(`${bundles}.away`, bundles)
    }
  }, 60_000)

  it('runs the doctor, whose checks load pkcs11js and find systray2 from the installation\'s node_modules', () => {
    const run = spawnSync(process.execPath, [EHAGENT, 'doctor', '--json', '--state-dir', join(scratch, 'doctor-state')], { encoding: 'utf8', env: ENV, timeout: 60_000 })
    const checks = (JSON.parse(run.stdout) as { checks: { id: string; status: string }[] }).checks
    expect(checks.find((c) => c.id === 'node')?.status).toBe('ok')
    // pkcs11js is optional: where this checkout has it built, the bundle loads it too.
    const eid = checks.find((c) => c.id === 'eid-support')?.status
    if (loadsHere('pkcs11js')) expect(eid).toBe('ok')
    else expect(eid).not.toBe('ok')
  })

  it('runs the native messaging host: with no agent, one framed ERR_AGENT_UNREACHABLE answer on stdout', async () => {
    const host = join(TREE, ...bundledProgramPath('native-host'))
    const child = spawn(process.execPath, [host, '--state-dir', join(scratch, 'no-agent'), ORIGIN], { stdio: ['pipe', 'pipe', 'pipe'], env: ENV })
    children.push(child)
    const events: FrameEvent[] = []
    const decode = createFrameDecoder(1024 * 1024, (e) => events.push(e))
    child.stdout.on('data', (d: Buffer) => decode(d))
    child.stdin.end(encodeFrame({ jsonrpc: '2.0', id: 7, method: 'soap.sign', params: { envelope: '<e/>' }, origin: 'http://127.0.0.1:1' }))
    expect(await new Promise((r) => child.on('close', r))).toBe(0)
    expect(events).toEqual([{ kind: 'message', value: expect.objectContaining({ id: 7, error: expect.objectContaining({ data: expect.objectContaining({ code: 'ERR_AGENT_UNREACHABLE' }) }) }) }])
  })

  it('without the bundle, bin/ehagent.js says to build and exits 70', () => {
    const bare = join(scratch, 'not-built')
    mkdirSync(join(bare, 'bin'), { recursive: true })
    cpSync(join(ROOT, 'package.json'), join(bare, 'package.json'))
    cpSync(join(ROOT, 'bin', 'ehagent.js'), join(bare, 'bin', 'ehagent.js'))
    const run = spawnSync(process.execPath, [join(bare, 'bin', 'ehagent.js'), '--version'], { encoding: 'utf8', env: ENV })
    expect(run.status).toBe(70)
    expect(run.stderr).toContain('the compiled files are missing; run `npm ci` (or `npm run build`) first')
  })
})

/** Whether `name` loads in this checkout (the test process). */
function loadsHere(name: string): boolean {
  try {
    createRequire(import.meta.url)(name)
    return true
  } catch {
    return false
  }
}

/** `node <tree>/bin/ehagent.js ARGS --port P`, once /health answers 200. */
async function startAgent(args: string[]): Promise<{ url: string; output: () => string; stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const port = await freePort()
  const child = spawn(process.execPath, [EHAGENT, ...args, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV })
  children.push(child)
  let output = ''
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ehagent ${args.join(' ')} exited (${child.exitCode}):\n${output}`)
    if (Date.now() > deadline) throw new Error(`ehagent ${args.join(' ')} did not answer /health within 30 s:\n${output}`)
    const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false)
    if (ok) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}
