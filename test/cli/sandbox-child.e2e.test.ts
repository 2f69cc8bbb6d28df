import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/index.js'
import type { RunningSandbox } from '../../agent/sandbox/server.js'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestSandbox } from '../helpers/start-test-agent.js'

// `ehagent start --env sandbox` through the real CLI entry point, in a process of its own (from
// source): the daemon starts `ehagent sandbox` as its child, talks to it only over HTTP (its
// manifest, then eHealth's endpoints), never loads its code, and stops it when it stops.
// `--sandbox-url` uses a sandbox that is already running instead.

/** The banner of `ehagent start --json`: one line of JSON on stdout. */
function banner(agent: AgentProcess): { url: string; environment: string; sandbox?: { url: string; pid?: number } } {
  const line = agent.stdout().split('\n').find((l) => l.startsWith('{'))
  if (!line) throw new Error(`no banner on stdout:\n${agent.stdout()}\n${agent.stderr()}`)
  return JSON.parse(line) as ReturnType<typeof banner>
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function isListening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(true))
    server.listen(Number(port), hostname, () => server.close(() => resolve(false)))
  })
}

/**
 * Sign in (the demo answers the keystore password), sign an envelope, and have the agent call the
 * sandbox's holder-of-key service at `sandboxUrl` with it: the sandbox checks the signature.
 */
async function signAndCall(agent: AgentProcess, sandboxUrl: string): Promise<void> {
  const client = new AgentClient({ url: agent.url, credential: agent.credential })
  await expect(client.call('session.login', { profile: 'doctor' })).resolves.toMatchObject({ state: 'signed-in' })
  const { envelope } = await client.call('soap.sign', { envelope: makeEnvelope(800) })
  expect(envelope).toContain('<wsse:Security')
  const answer = await client.call('soap.call', { endpoint: `${sandboxUrl}/sandbox/EchoService/HolderOfKey/v1`, envelope: makeEnvelope(300) })
  expect(answer.envelope).toContain('<echo:Accepted>true</echo:Accepted>')
}

/** Module URLs that belong to the sandbox or to the packages only it needs. */
const SANDBOX_ONLY = [/\/agent\/sandbox\//, /\/node_modules\/node-forge\//, /\/node_modules\/qrcode\//]

describe('ehagent start --env sandbox: the sandbox is a child process', () => {
  let agent: AgentProcess
  beforeAll(async () => {
    agent = await spawnAgentProcess({ args: ['--json'], timeoutMs: 60_000 })
  }, 90_000)
  afterAll(async () => {
    await agent?.stop()
  })

  it('spawns `ehagent sandbox` and uses it: /health answers, the environment is the child\'s', async () => {
    const b = banner(agent)
    expect(b.environment).toBe('sandbox')
    expect(b.sandbox?.pid).toBeGreaterThan(0)
    expect(b.sandbox!.pid).not.toBe(agent.pid)
    expect(isAlive(b.sandbox!.pid!)).toBe(true)
    expect(await isListening(b.sandbox!.url)).toBe(true)
    expect((await fetch(`${agent.url}/health`)).status).toBe(200)
    const client = new AgentClient({ url: agent.url, credential: agent.credential })
    const status = await client.call('agent.status')
    expect(status.environment).toBe('sandbox')
    expect(agent.stderr()).toMatch(new RegExp(`the sandbox runs at ${b.sandbox!.url.replace(/\./g, '\\.')} \\(pid ${b.sandbox!.pid}\\)`))
  })

  it('idle, the daemon has loaded none of the sandbox\'s code, node-forge or qrcode; the sandbox child has', async () => {
    const loaded = await agent.loadedModules()
    // The trace works: the daemon's own modules are in it.
    expect(loaded.some((url) => url.endsWith('/agent/start-agent.ts'))).toBe(true)
    expect(loaded.some((url) => url.endsWith('/agent/http/rpc-listener.ts'))).toBe(true)
    // The listener answers POST /rpc and GET /health itself: the web framework behind it (the
    // event stream, the pages) is loaded at the first request that needs it, not before.
    expect(loaded.filter((url) => url.includes('/node_modules/hono/') || url.includes('/node_modules/@hono/'))).toEqual([])
    expect(loaded.filter((url) => SANDBOX_ONLY.some((re) => re.test(url)))).toEqual([])
    // The same hook in the child (its stderr reaches the agent's log, line by line).
    const seen = agent.stderr().length
    process.kill(banner(agent).sandbox!.pid!, 'SIGUSR2')
    let childModules: string[] | undefined
    for (let i = 0; i < 200 && !childModules; i++) {
      const m = /sandbox: ehagent-test-modules (\[.*\])\n/.exec(agent.stderr().slice(seen))
      if (m) childModules = JSON.parse(m[1]!) as string[]
      else await new Promise((r) => setTimeout(r, 25))
    }
    expect(childModules, 'the sandbox child reported its modules').toBeDefined()
    for (const re of SANDBOX_ONLY) expect(childModules!.some((url) => re.test(url)), String(re)).toBe(true)
  })

  it('a sign-in, soap.sign and soap.call work against it', async () => {
    await signAndCall(agent, banner(agent).sandbox!.url)
  })

  it('SIGTERM stops the agent, and with it the sandbox child: no process, no port', async () => {
    const { sandbox } = banner(agent)
    await agent.stop()
    expect(agent.exit()).toMatchObject({ code: 0 })
    expect(isAlive(sandbox!.pid!)).toBe(false)
    expect(await isListening(sandbox!.url)).toBe(false)
  })
})

describe('ehagent start --env sandbox --sandbox-url: a sandbox already running', () => {
  let sandbox: RunningSandbox
  let agent: AgentProcess
  beforeAll(async () => {
    sandbox = await startTestSandbox({ demoPerson: 'doctor' })
    agent = await spawnAgentProcess({ args: ['--json', '--sandbox-url', sandbox.url], timeoutMs: 60_000 })
  }, 90_000)
  afterAll(async () => {
    await agent?.stop()
    await sandbox?.close()
  })

  it('starts no child and uses that sandbox', async () => {
    expect(banner(agent).sandbox).toEqual({ url: sandbox.url, idpSso: `${sandbox.url}/idp/Token/SSO`, keystore: sandbox.state.pki.keystores.doctor.p12Path })
    expect(agent.stderr()).not.toMatch(/the sandbox runs at/)
    await signAndCall(agent, sandbox.url)
    // The agent's calls reach this sandbox: a fault injected here comes back to the caller.
    sandbox.state.faults.add('/sandbox/EchoService/HolderOfKey/v1', { kind: 'soap-fault', code: 'SOA-02001', messages: ['injected by the test'] }, 1)
    const client = new AgentClient({ url: agent.url, credential: agent.credential })
    await expect(client.call('soap.call', { endpoint: `${sandbox.url}/sandbox/EchoService/HolderOfKey/v1`, envelope: makeEnvelope(300) })).rejects.toMatchObject({ code: 'ERR_SERVICE_FAULT' })
  })

  it('stopping the agent leaves that sandbox running', async () => {
    await agent.stop()
    expect(agent.exit()).toMatchObject({ code: 0 })
    expect((await fetch(`${sandbox.url}/sandbox/manifest`)).status).toBe(200)
  })
})
