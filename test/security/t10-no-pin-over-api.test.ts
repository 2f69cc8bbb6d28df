import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T10, PIN phishing and double prompts (BeIDConnect took the PIN from the web page): the
// PIN never travels over the API, only the agent's own UI asks for it, and one sign-in is one
// prompt however many calls wait for it.

let t: TestAgent
let signOnlyCredential: string
const SECRET_VALUE = 'PIN-VALUE-8d1f0c'

beforeAll(async () => {
  t = await startTestAgent()
  const paired = await new AgentClient({ url: t.agent.url }).call('client.pair', { name: 'Signer', scopes: { methods: ['soap.sign'] } })
  signOnlyCredential = paired.credential
})

afterAll(async () => {
  await t?.agent.close()
})

/** One raw call; the parsed JSON-RPC answer. */
async function rpc(body: unknown, credential: string | undefined = t.agent.credential): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (credential) headers.authorization = `Bearer ${credential}`
  const res = await fetch(`${t.agent.url}/rpc`, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: res.status, json: await res.json() }
}

const call = (method: string, params: unknown, id: number | string = 1) => ({ jsonrpc: '2.0', method, params, id })

describe('T10: no PIN or password over the API', () => {
  const cases: [string, unknown][] = [
    ['session.login {pin}', call('session.login', { pin: SECRET_VALUE })],
    ['session.login {PIN}', call('session.login', { PIN: SECRET_VALUE })],
    ['session.login {password}', call('session.login', { profile: 'doctor', password: SECRET_VALUE })],
    ['session.login {options:{userPin}}', call('session.login', { options: { userPin: SECRET_VALUE } })],
    ['session.login [{pinCode}] (positional)', call('session.login', [{ pinCode: SECRET_VALUE }])],
    ['soap.sign {envelope, passphrase}', call('soap.sign', { envelope: makeEnvelope(100), passphrase: SECRET_VALUE })],
    ['soap.sign {envelope, keystore:{Passw0rd}}', call('soap.sign', { envelope: makeEnvelope(100), keystore: { Passw0rd: SECRET_VALUE } })],
    ['session.importToken {token, clientSecret}', call('session.importToken', { token: '<x/>', clientSecret: SECRET_VALUE })],
    ['soap.call {…, auth:[{puk}]}', call('soap.call', { endpoint: 'https://evil.example/', envelope: '<x/>', auth: [{ puk: SECRET_VALUE }] })],
    // Before the method lookup: an unknown method with a PIN is refused for the PIN.
    ['unknown method {pin}', call('no.such.method', { pin: SECRET_VALUE })],
  ]

  it.each(cases)('%s → ERR_FORBIDDEN_PARAM, from the local (all-scopes) credential', async (_what, body) => {
    const res = await rpc(body)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32005, data: { code: 'ERR_FORBIDDEN_PARAM' } } })
    expect(JSON.stringify(res.json)).not.toContain(SECRET_VALUE)
  })

  it('the PIN check comes before the scope check and the schema', async () => {
    // A soap.sign-only client asking session.login with a PIN hears about the PIN, not the scope.
    const res = await rpc(call('session.login', { pin: SECRET_VALUE }), signOnlyCredential)
    expect(res.json.error.data.code).toBe('ERR_FORBIDDEN_PARAM')
    // An unpaired application trying to pair with a PIN: refused before the pairing dialog.
    const pair = await rpc(call('client.pair', { name: 'phisher', pin: SECRET_VALUE }), undefined)
    expect(pair.json.error.data.code).toBe('ERR_FORBIDDEN_PARAM')
    expect(t.prompter.pairings.map((p) => p.client)).toEqual(['Signer'])
  })

  it('in a batch, the call with a PIN is refused and the others are answered', async () => {
    const res = await rpc([call('session.status', {}, 'a'), call('session.login', { pin: SECRET_VALUE }, 'b')])
    expect(res.json).toHaveLength(2)
    expect(res.json[0]).toMatchObject({ id: 'a', result: { state: 'signed-out' } })
    expect(res.json[1]).toMatchObject({ id: 'b', error: { data: { code: 'ERR_FORBIDDEN_PARAM' } } })
  })

  it('nothing was prompted or signed in, and the secret is in no file the agent wrote', async () => {
    expect(t.prompter.prompts).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
    const rejected = (await t.agent.services.audit.list({ limit: 100 })).filter((r) => r.errorCode === 'ERR_FORBIDDEN_PARAM')
    expect(rejected).toHaveLength(cases.length + 3)
    await t.agent.services.audit.flush()
    for (const file of walk(t.stateDir)) expect(readFileSync(file, 'latin1'), file).not.toContain(SECRET_VALUE)
  })
})

describe('T10: one sign-in, one prompt', () => {
  it('10 concurrent soap.sign calls on a signed-out agent cause exactly one prompt, and all succeed', async () => {
    const local = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => local.call('soap.sign', { envelope: makeEnvelope(200 + i) })))
    expect(new Set(results.map((r) => r.assertionId)).size).toBe(1)
    expect(t.prompter.prompts).toHaveLength(1)
    // The local credential's caller is named after its program, as /proc names it: this test's node.
    expect(t.prompter.prompts[0]).toMatchObject({ client: 'node', program: { executable: realpathSync(process.execPath), pid: process.pid }, requirement: { secret: 'password' } })
  })

  it('further calls use the session without asking again; a new sign-in asks once more', async () => {
    const local = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    await local.call('soap.sign', { envelope: makeEnvelope(100) })
    await local.call('soap.call', { endpoint: t.agent.services.environment.services.hokEcho!, envelope: makeEnvelope(100) })
    await local.call('token.info')
    expect(t.prompter.prompts).toHaveLength(1)
    await local.call('session.logout')
    await local.call('session.login', {})
    expect(t.prompter.prompts).toHaveLength(2)
  })
})

function walk(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    const st = statSync(p)
    if (st.isDirectory()) out.push(...walk(p))
    else if (st.isFile()) out.push(p)
  }
  return out
}
