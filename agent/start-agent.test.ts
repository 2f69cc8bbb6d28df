import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../clients/js/agent-client.js'
import { resolvePaths } from '../protocol/discovery/resolve-paths.js'
import { EHAGENT_FROM_SOURCE } from '../test/helpers/run-cli-captured.js'
import { MemoryKeySource } from '../test/helpers/memory-key-source.js'
import { freePort, startTestSandbox } from '../test/helpers/start-test-agent.js'
import { systemClock } from './clock.js'
import { defaultConfig } from './config.js'
import { ScriptedPrompter } from './consent/scripted-prompter.js'
import type { RunningSandbox } from './sandbox/server.js'
import { startAgent, type StartAgentOptions, type StartStep } from './start-agent.js'
import { START_STEPS } from './start/start-agent-options.js'

// Start-up is a list of steps (start/start-agent-options.ts); whichever fails, what the earlier
// ones started is undone: no port held, no file left in the runtime directory, key sources
// closed, no sandbox child running. A normal stop leaves the same nothing.

let sandbox: RunningSandbox
let scratch: string
beforeAll(async () => {
  sandbox = await startTestSandbox()
  scratch = mkdtempSync(join(tmpdir(), 'start-agent-'))
}, 60_000)
afterAll(async () => {
  await sandbox?.close()
  rmSync(scratch, { recursive: true, force: true })
})

interface Attempt {
  options: StartAgentOptions
  keystore: MemoryKeySource
  logs: string[]
  stateDir: string
}

async function prepare(name: string, extra: Partial<StartAgentOptions> = {}): Promise<Attempt> {
  const stateDir = join(scratch, name)
  const paths = { ...resolvePaths(stateDir, { platform: 'linux', home: stateDir, uid: process.getuid?.() ?? 0, env: {} }), sandboxDir: dirname(sandbox.state.pki.dir) }
  const doctor = sandbox.state.pki.keystores.doctor
  const keystore = new MemoryKeySource(doctor.privateKey, doctor.certificatePem)
  const logs: string[] = []
  return {
    keystore,
    logs,
    stateDir,
    options: {
      paths,
      config: { ...defaultConfig(), port: await freePort(), environment: 'sandbox' },
      version: 'test',
      clock: systemClock,
      prompter: new ScriptedPrompter({ secret: 'sandbox' }),
      log: (line) => logs.push(line),
      ...(process.getuid ? { uid: process.getuid() } : {}),
      keySources: { keystore },
      sandbox: { url: sandbox.url },
      ...extra,
    },
  }
}

const failAt = (target: StartStep) => (step: StartStep) => {
  if (step === target) throw new Error(`injected failure at ${step}`)
}

/** Whether anything can still be reached, or listens, or exists, of this attempt. */
async function leftovers(attempt: Attempt): Promise<string[]> {
  const found: string[] = []
  const { paths, config } = attempt.options
  if (!(await canListen(config.port))) found.push(`port ${config.port} is still held`)
  for (const file of [paths.discoveryFile, paths.credentialFile, paths.socketPath]) if (existsSync(file)) found.push(`${file} exists`)
  if (existsSync(paths.runtimeDir)) found.push(`${paths.runtimeDir} holds ${JSON.stringify(readdirSync(paths.runtimeDir))}`)
  return found
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The sandbox child's pid, from the agent's log line about it. */
function childPid(logs: string[]): number {
  const line = logs.find((l) => /^the sandbox runs at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)$/.test(l))
  if (!line) throw new Error(`no sandbox child in the log: ${JSON.stringify(logs)}`)
  return Number(/\(pid (\d+)\)/.exec(line)![1])
}

describe('a failure at any start-up step undoes what was started', () => {
  it('the steps are the documented ones, each told to onStep in order', async () => {
    const seen: StartStep[] = []
    const attempt = await prepare('all-steps', { onStep: (s) => void seen.push(s) })
    const agent = await startAgent(attempt.options)
    await agent.close()
    expect(seen).toEqual([...START_STEPS])
    expect(await leftovers(attempt)).toEqual([])
    expect(attempt.keystore.closes).toBe(1)
  })

  it.each(START_STEPS.map((step) => [step]))('failing at %s leaves no port, no file, and the key sources closed', async (step) => {
    const attempt = await prepare(`fail-${step}`, { onStep: failAt(step) })
    await expect(startAgent(attempt.options)).rejects.toThrow(`injected failure at ${step}`)
    expect(await leftovers(attempt)).toEqual([])
    // The key sources exist once the wiring is done; from then on a failure closes them.
    const wired = START_STEPS.indexOf(step) > START_STEPS.indexOf('wiring')
    expect(attempt.keystore.closes).toBe(wired ? 1 : 0)
  })

  it('a port already taken fails the start the same way, and the error says so', async () => {
    const attempt = await prepare('port-taken')
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(attempt.options.config.port, '127.0.0.1', () => resolve()))
    try {
      await expect(startAgent(attempt.options)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', data: { detail: 'port in use' } })
      expect(existsSync(attempt.options.paths.credentialFile)).toBe(false)
      expect(attempt.keystore.closes).toBe(1)
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })
})

describe('the local credential file', () => {
  it('is removed at stop and rotated at every start: the previous run\'s credential is refused', async () => {
    const attempt = await prepare('credential-rotation')
    const credentialFile = attempt.options.paths.credentialFile
    const first = await startAgent(attempt.options)
    const firstCredential = readFileSync(credentialFile, 'utf8').trim()
    expect(firstCredential).toBe(first.credential)
    await first.close()
    expect(existsSync(credentialFile)).toBe(false)

    const second = await startAgent(attempt.options)
    try {
      const secondCredential = readFileSync(credentialFile, 'utf8').trim()
      expect(secondCredential).toBe(second.credential)
      expect(secondCredential).not.toBe(firstCredential)
      expect((statSync(credentialFile).mode & 0o777).toString(8)).toBe('600')
      await expect(new AgentClient({ url: second.url, credential: firstCredential }).call('agent.status')).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
      await expect(new AgentClient({ url: second.url, credential: secondCredential }).call('agent.status')).resolves.toBeDefined()
    } finally {
      await second.close()
    }
    expect(existsSync(credentialFile)).toBe(false)
  })
})

describe('with the sandbox as a child process (ehagent sandbox, from source)', () => {
  it.each([['wiring'], ['desktop']] as const)('a failure at %s stops the child too', async (step) => {
    const attempt = await prepare(`child-fail-${step}`, { sandbox: { command: EHAGENT_FROM_SOURCE }, onStep: failAt(step) })
    await expect(startAgent(attempt.options)).rejects.toThrow(`injected failure at ${step}`)
    const pid = childPid(attempt.logs)
    expect(isAlive(pid), `sandbox child ${pid} still runs`).toBe(false)
    expect(await leftovers(attempt)).toEqual([])
  }, 60_000)

  it('a normal stop stops the child, and the agent used it (its manifest, its environment)', async () => {
    const attempt = await prepare('child-ok', { sandbox: { command: EHAGENT_FROM_SOURCE } })
    const agent = await startAgent(attempt.options)
    const pid = childPid(attempt.logs)
    try {
      expect(agent.sandbox?.pid).toBe(pid)
      expect(isAlive(pid)).toBe(true)
      expect(agent.services.environment.stsWsTrust).toBe(`${agent.sandbox!.url}/IAM/SecurityTokenService/v1`)
      const health = await fetch(`${agent.sandbox!.url}/sandbox/manifest`)
      expect(health.status).toBe(200)
    } finally {
      await agent.close()
    }
    expect(isAlive(pid)).toBe(false)
    expect(await leftovers(attempt)).toEqual([])
  }, 60_000)
})
