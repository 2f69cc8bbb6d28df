import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { curl } from '../helpers/system-tools.js'
import { requireTool } from '../helpers/xmlsec.js'

// Threat T4: a local process forges `Origin` to look like the trusted browser extension (Fortify's
// pairing dialog trusted the header). Origin is only a hint: identity is the credential, and
// pairing always asks the user.

const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop'
const ORIGIN = `chrome-extension://${EXTENSION_ID}`
let t: TestAgent

beforeAll(async () => {
  requireTool('curl', 'curl')
  // The user will deny any pairing request in this test.
  t = await startTestAgent({ script: { secret: 'sandbox', approvePairing: false }, config: { allowedExtensionIds: [EXTENSION_ID] } })
})

afterAll(async () => {
  await t?.agent.close()
})

async function rpc(body: unknown, headers: string[] = []) {
  const res = await curl(['-i', '-H', 'Content-Type: application/json', '-H', `Origin: ${ORIGIN}`, ...headers, '--data', JSON.stringify(body), `http://127.0.0.1:${t.port}/rpc`])
  const split = res.body.indexOf('\r\n\r\n')
  return { status: res.status, head: res.body.slice(0, split).toLowerCase(), json: JSON.parse(res.body.slice(split + 4)) as Record<string, unknown> }
}

describe('T4: a forged extension Origin buys nothing', () => {
  it('the allowed extension Origin without a credential gets 401 for every method but client.pair', async () => {
    for (const method of ['session.status', 'session.login', 'soap.sign', 'token.info', 'client.list', 'audit.list']) {
      const params = method === 'soap.sign' ? { envelope: '<x/>' } : {}
      const res = await rpc({ jsonrpc: '2.0', method, params, id: 1 })
      expect(res.status, method).toBe(401)
      expect(res.json, method).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001, data: { code: 'ERR_UNAUTHORIZED' } } })
      // The guards did let the Origin through (it is allowed): the refusal is the missing credential.
      expect(res.head).toContain(`access-control-allow-origin: ${ORIGIN}`)
    }
  })

  it('a made-up or malformed credential is no better', async () => {
    for (const auth of ['Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `Bearer ${EXTENSION_ID}`, `Basic ${t.agent.credential}`, 'Bearer ']) {
      const res = await rpc({ jsonrpc: '2.0', method: 'session.status', id: 1 }, ['-H', `Authorization: ${auth}`])
      expect(res.status, auth).toBe(401)
    }
  })

  it('client.pair cannot smuggle another call past the credential check in a batch', async () => {
    const res = await rpc([
      { jsonrpc: '2.0', method: 'client.pair', params: { name: 'trojan' }, id: 1 },
      { jsonrpc: '2.0', method: 'session.login', params: {}, id: 2 },
    ])
    expect(res.status).toBe(401)
    expect(t.prompter.pairings).toEqual([])
  })

  it('nothing was prompted and nothing was signed in so far; the privacy log shows the refusals', async () => {
    expect(t.prompter.prompts).toEqual([])
    expect(t.prompter.pairings).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
    const rejected = (await t.agent.services.audit.list({ limit: 100 })).filter((r) => r.event === 'rejected')
    expect(rejected.filter((r) => r.errorCode === 'ERR_UNAUTHORIZED')).toHaveLength(6 + 4 + 1)
  })

  it('client.pair with the forged Origin and no credential still asks the user, who denies it', async () => {
    const res = await rpc({ jsonrpc: '2.0', method: 'client.pair', params: { name: 'Totally The Extension' }, id: 9 })
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32004, data: { code: 'ERR_PAIRING_DENIED' } } })
    expect(t.prompter.pairings).toHaveLength(1)
    expect(t.prompter.pairings[0]).toMatchObject({ client: 'Totally The Extension' })
    expect(t.agent.services.clients.list()).toEqual([])
    const records = await t.agent.services.audit.list({ limit: 5 })
    expect(records[0]).toMatchObject({ event: 'client.pair', client: { name: 'Totally The Extension' }, outcome: 'rejected' })
  })
})
