import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AgentError } from '../../../protocol/errors.js'
import type { MethodName } from '../../../protocol/rpc/methods.js'
import { createAgentSigner, type AgentCaller } from './agent-signer.js'
import { openCredentialFile } from './credential-file.js'

const ID = 'genikcfmigceelnkkckhdkieobalmnob'
const APP = 'https://app.example.be'
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** A stand-in agent: pairs after `approveAfter` ms, signs for the credentials it handed out. */
function fakeAgent(options: { approveAfter?: number; deny?: boolean } = {}) {
  const calls: { method: MethodName; credential?: string; webOrigin?: string; params: unknown }[] = []
  const known = new Set<string>()
  let next = 0
  const connect = (_url: string, credential?: string, webOrigin?: string): AgentCaller => ({
    async call(method, params) {
      calls.push({ method, ...(credential ? { credential } : {}), ...(webOrigin !== undefined ? { webOrigin } : {}), params })
      if (method === 'client.pair') {
        await new Promise((r) => setTimeout(r, options.approveAfter ?? 0))
        if (options.deny) throw new AgentError('ERR_PAIRING_DENIED')
        const issued = `credential-${++next}-${'x'.repeat(20)}`
        known.add(issued)
        return { clientId: `c${next}`, credential: issued, scopes: { methods: ['soap.sign'], services: ['*'] } } as never
      }
      if (!credential || !known.has(credential)) throw new AgentError('ERR_UNAUTHORIZED')
      return { envelope: '<signed/>', assertionId: '_a', signedAt: '2025-01-01T00:00:00.000Z' } as never
    },
  })
  return { calls, known, connect, pairings: () => calls.filter((c) => c.method === 'client.pair') }
}

function credentialPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'host-cred-'))
  dirs.push(dir)
  return join(dir, 'state', 'native-host', `${ID}.credential`)
}

describe('createAgentSigner', () => {
  it('pairs once for concurrent first requests, under the extension\'s name, asking only for soap.sign', async () => {
    const agent = fakeAgent({ approveAfter: 30 })
    const path = credentialPath()
    const signer = createAgentSigner({ extensionId: ID, findAgentUrl: async () => 'http://127.0.0.1:1', credentials: openCredentialFile(path), connect: agent.connect })
    const results = await Promise.all([1, 2, 3, 4].map(() => signer.sign({ envelope: '<e/>' }, APP)))
    expect(results.every((r) => r.envelope === '<signed/>')).toBe(true)
    // Paired as a browser extension, without a website (it pairs once, for the sites the user allows).
    expect(agent.pairings()).toEqual([{ method: 'client.pair', params: { name: `Browser extension (${ID})`, scopes: { methods: ['soap.sign'] }, kind: 'browser-extension' } }])
    const signs = agent.calls.filter((c) => c.method === 'soap.sign')
    expect(signs.every((c) => c.credential === 'credential-1-xxxxxxxxxxxxxxxxxxxx')).toBe(true)
    // Every signature names the website it is for.
    expect(signs.map((c) => c.webOrigin)).toEqual([APP, APP, APP, APP])
  })

  it('keeps the credential owner-only in an owner-only directory; a new host process reuses it without asking', async () => {
    const agent = fakeAgent()
    const path = credentialPath()
    const first = createAgentSigner({ extensionId: ID, findAgentUrl: async () => 'http://127.0.0.1:1', credentials: openCredentialFile(path), connect: agent.connect })
    await first.sign({ envelope: '<e/>' }, APP)
    expect(readFileSync(path, 'utf8')).toBe('credential-1-xxxxxxxxxxxxxxxxxxxx\n')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700)
    const second = createAgentSigner({ extensionId: ID, findAgentUrl: async () => 'http://127.0.0.1:1', credentials: openCredentialFile(path), connect: agent.connect })
    await second.sign({ envelope: '<e/>' }, APP)
    expect(agent.pairings()).toHaveLength(1)
  })

  it('a denied pairing is the agent\'s typed error, and nothing is stored', async () => {
    const agent = fakeAgent({ deny: true })
    const path = credentialPath()
    const signer = createAgentSigner({ extensionId: ID, findAgentUrl: async () => 'http://127.0.0.1:1', credentials: openCredentialFile(path), connect: agent.connect })
    await expect(signer.sign({ envelope: '<e/>' }, APP)).rejects.toMatchObject({ code: 'ERR_PAIRING_DENIED' })
    expect(existsSync(path)).toBe(false)
  })

  it('a revoked pairing: the credential is forgotten, the request fails with reason pairing-revoked, the next one asks again', async () => {
    const agent = fakeAgent()
    const path = credentialPath()
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, 'revoked-credential-xxxxxxxxxxxx\n', { mode: 0o600 })
    const signer = createAgentSigner({ extensionId: ID, findAgentUrl: async () => 'http://127.0.0.1:1', credentials: openCredentialFile(path), connect: agent.connect })
    await expect(signer.sign({ envelope: '<e/>' }, APP)).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED', data: { reason: 'pairing-revoked' } })
    expect(existsSync(path)).toBe(false)
    expect(agent.pairings()).toHaveLength(0)
    await signer.sign({ envelope: '<e/>' }, APP)
    expect(agent.pairings()).toHaveLength(1)
  })

  it('a refusal by the agent\'s guards (it carries a reason) keeps the credential', async () => {
    const path = credentialPath()
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, 'good-credential-xxxxxxxxxxxxxxx\n', { mode: 0o600 })
    const connect = (): AgentCaller => ({
      call: async () => {
        throw new AgentError('ERR_UNAUTHORIZED', 'the calling process belongs to another user', { reason: 'peer-uid-mismatch' })
      },
    })
    const signer = createAgentSigner({ extensionId: ID, findAgentUrl: async () => 'http://127.0.0.1:1', credentials: openCredentialFile(path), connect })
    await expect(signer.sign({ envelope: '<e/>' }, APP)).rejects.toMatchObject({ data: { reason: 'peer-uid-mismatch' } })
    expect(existsSync(path)).toBe(true)
  })

  it('the agent not running is ERR_AGENT_UNREACHABLE before any pairing', async () => {
    const agent = fakeAgent()
    const signer = createAgentSigner({
      extensionId: ID,
      findAgentUrl: async () => {
        throw new AgentError('ERR_AGENT_UNREACHABLE', 'the ehealth-agent is not running on this computer', { reason: 'agent-not-running' })
      },
      credentials: openCredentialFile(credentialPath()),
      connect: agent.connect,
    })
    await expect(signer.sign({ envelope: '<e/>' }, APP)).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE', data: { reason: 'agent-not-running' } })
    expect(agent.calls).toEqual([])
  })
})
