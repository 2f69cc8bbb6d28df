import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T8: a paired client abuses the cached token beyond what it was paired for (Fortify
// #543). Scopes are per client (methods and services); revocation takes effect on the next call.

let t: TestAgent
let local: AgentClient
let signOnly: AgentClient
let signOnlyId: string
let signOnlyCredential: string
let hokOnly: AgentClient

async function pair(name: string, scopes: { methods?: string[]; services?: string[] }): Promise<{ client: AgentClient; clientId: string; credential: string }> {
  const paired = await new AgentClient({ url: t.agent.url }).call('client.pair', { name, scopes })
  return { client: new AgentClient({ url: t.agent.url, credential: paired.credential }), clientId: paired.clientId, credential: paired.credential }
}

beforeAll(async () => {
  t = await startTestAgent()
  local = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
  ;({ client: signOnly, clientId: signOnlyId, credential: signOnlyCredential } = await pair('Signer Only', { methods: ['soap.sign'] }))
  ;({ client: hokOnly } = await pair('HOK Echo Only', { methods: ['soap.call'], services: [t.agent.services.environment.services.hokEcho!] }))
})

afterAll(async () => {
  await t?.agent.close()
})

describe('T8: per-client scopes', () => {
  it('a client paired for soap.sign only gets ERR_SCOPE for soap.call and everything else, before any prompt', async () => {
    const endpoint = t.agent.services.environment.services.hokEcho!
    await expect(signOnly.call('soap.call', { endpoint, envelope: makeEnvelope(100) })).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    await expect(signOnly.call('session.login', {})).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    await expect(signOnly.call('token.info')).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    await expect(signOnly.call('audit.list', {})).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    await expect(signOnly.call('client.revoke', { clientId: 'x' })).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    expect(t.prompter.prompts).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it('it may do what it was paired for: soap.sign (which signs in, with one prompt naming it)', async () => {
    const signed = await signOnly.call('soap.sign', { envelope: makeEnvelope(200) })
    expect(signed.envelope).toContain('wsse:Security')
    expect(t.prompter.prompts).toHaveLength(1)
    expect(t.prompter.prompts[0]).toMatchObject({ client: 'Signer Only' })
  })

  it('a client scoped to service A calling service B (or a look-alike of A) gets ERR_SCOPE; A works', async () => {
    const { hokEcho, x509Echo } = t.agent.services.environment.services as { hokEcho: string; x509Echo: string }
    for (const endpoint of [x509Echo, `${hokEcho}/../x509`, `${hokEcho}?redirect=1`, `${hokEcho}x`]) {
      await expect(hokOnly.call('soap.call', { endpoint, envelope: makeEnvelope(100) }), endpoint).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    }
    const answer = await hokOnly.call('soap.call', { endpoint: hokEcho, envelope: makeEnvelope(100) })
    expect(answer.envelope).toContain('<echo:Accepted>true</echo:Accepted>')
  })

  it('an application cannot pair itself into the local user\'s admin methods', async () => {
    const { client } = await pair('Greedy', { methods: ['*', 'audit.list', 'client.list', 'client.revoke', 'soap.sign'] })
    expect(t.prompter.pairings.at(-1)).toMatchObject({ client: 'Greedy', scopes: { methods: ['soap.sign'] } })
    await expect(client.call('audit.list', {})).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    await expect(client.call('client.list')).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    const greedy = (await local.call('client.list')).clients.find((c) => c.name === 'Greedy')!
    expect(greedy.scopes.methods).toEqual(['soap.sign'])
    await local.call('client.revoke', { clientId: greedy.clientId })
  })

  it('scope refusals are in the privacy log', async () => {
    const rejected = (await t.agent.services.audit.list({ limit: 100 })).filter((r) => r.event === 'rejected' && r.errorCode === 'ERR_SCOPE')
    expect(rejected.filter((r) => r.client?.name === 'Signer Only').map((r) => r.method).sort()).toEqual(['audit.list', 'client.revoke', 'session.login', 'soap.call', 'token.info'])
    expect(rejected.filter((r) => r.client?.name === 'HOK Echo Only')).toHaveLength(4)
    expect(rejected.filter((r) => r.client?.name === 'Greedy').map((r) => r.method).sort()).toEqual(['audit.list', 'client.list'])
  })
})

describe('T8: revocation', () => {
  it('after client.revoke (by the local user), the very next call of the revoked client is 401', async () => {
    expect((await local.call('client.list')).clients.map((c) => c.name).sort()).toEqual(['HOK Echo Only', 'Signer Only'])
    expect(await local.call('client.revoke', { clientId: signOnlyId })).toEqual({ revoked: true })
    await expect(signOnly.call('soap.sign', { envelope: makeEnvelope(100) })).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
    // Raw: HTTP 401 with a JSON-RPC error body.
    const raw = await fetch(`${t.agent.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${signOnlyCredential}` },
      body: '{"jsonrpc":"2.0","method":"soap.sign","params":{"envelope":"<x/>"},"id":1}',
    })
    expect(raw.status).toBe(401)
    expect(await raw.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001, data: { code: 'ERR_UNAUTHORIZED' } } })
    // The other client is untouched.
    expect((await local.call('client.list')).clients.map((c) => c.name)).toEqual(['HOK Echo Only'])
    await expect(hokOnly.call('soap.call', { endpoint: t.agent.services.environment.services.hokEcho!, envelope: makeEnvelope(100) })).resolves.toMatchObject({
      status: 200,
    })
  })

  it('the revocation is audited, and only one sign-in prompt was ever shown', async () => {
    const records = await t.agent.services.audit.list({ limit: 100 })
    expect(records.find((r) => r.event === 'client.revoke')).toMatchObject({ client: { id: 'local' }, outcome: 'ok' })
    expect(records.filter((r) => r.event === 'rejected' && r.errorCode === 'ERR_UNAUTHORIZED')).toHaveLength(2)
    expect(t.prompter.prompts).toHaveLength(1)
  })
})
