import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { connectToAgent } from '../../clients/js/discover-agent.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

const CANARY = 'CANARY-7f3a9c-medical-data'
let t: TestAgent
let app: AgentClient

beforeAll(async () => {
  t = await startTestAgent()
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
})

describe('agent end to end through clients/js, against the sandbox', () => {
  it('an application pairs (the user approves in the Prompter) and gets a credential', async () => {
    const anonymous = new AgentClient({ url: t.agent.url })
    const paired = await anonymous.call('client.pair', { name: 'MediSoft 4.2' })
    expect(paired.credential).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(t.prompter.pairings.at(-1)).toMatchObject({ client: 'MediSoft 4.2' })
    app = new AgentClient({ url: t.agent.url, credential: paired.credential })
    await expect(anonymous.call('session.status')).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
  })

  it('signs in: the user (not the application) is asked for the keystore password', async () => {
    const status = await app.call('session.login', { profile: 'doctor' })
    expect(status.state).toBe('signed-in')
    expect(status.token?.profile.id).toBe('doctor')
    expect(t.prompter.prompts.at(-1)).toMatchObject({ client: 'MediSoft 4.2', requirement: { secret: 'password' } })
  })

  it('soap.sign returns the envelope with a WS-Security header, the Body as sent', async () => {
    const envelope = makeEnvelope(4096, { canary: CANARY })
    const signed = await app.call('soap.sign', { envelope })
    expect(signed.assertionId).toMatch(/^_/)
    expect(signed.envelope).toMatch(/<wsse:Security [^>]*>[\s\S]*<ds:SignatureValue>[A-Za-z0-9+/=]{300,}<\/ds:SignatureValue>/)
    expect(signed.envelope).toContain(`AssertionID="${signed.assertionId}"`)
    const body = (xml: string) => xml.slice(xml.indexOf('>', xml.indexOf('<soapenv:Body')) + 1, xml.indexOf('</soapenv:Body>'))
    expect(body(signed.envelope)).toBe(body(envelope))
    // xmlsec1 checks this signature in agent.e2e.system.test.ts; the sandbox service checks the
    // next test's.
  })

  it('soap.call signs and posts to the sandbox HOK service, which accepts it', async () => {
    const endpoint = t.agent.services.environment.services.hokEcho!
    const answer = await app.call('soap.call', { endpoint, envelope: makeEnvelope(1000, { canary: CANARY }) })
    expect(answer.envelope).toContain('<echo:Accepted>true</echo:Accepted>')
    expect(answer.envelope).toContain(`<echo:AssertionID>${answer.assertionId}</echo:AssertionID>`)
  })

  it('soap.call refuses an endpoint outside the environment and the allowlist', async () => {
    await expect(app.call('soap.call', { endpoint: 'https://evil.example/steal', envelope: makeEnvelope(100) })).rejects.toMatchObject({
      code: 'ERR_ENDPOINT_NOT_ALLOWED',
    })
  })

  it('the same user\'s CLI connects with the local credential and reads the privacy log', async () => {
    const cli = await connectToAgent({ stateDir: t.stateDir, context: { platform: 'linux', home: t.stateDir, uid: process.getuid?.() ?? 0, env: {} } })
    const { records } = await cli.call('audit.list', { limit: 50 })
    const events = records.map((r) => r.event)
    expect(events).toEqual(expect.arrayContaining(['client.pair', 'login', 'soap.sign', 'soap.call']))
    const call = records.find((r) => r.event === 'soap.call')!
    expect(call).toMatchObject({ client: { name: 'MediSoft 4.2' }, service: { operation: '{urn:be:fgov:ehealth:test:v1}ConsultRequest' }, outcome: 'ok' })
    expect(call.token?.assertionId).toMatch(/^_/)
  })

  it('a paired application may not read the privacy log (scope)', async () => {
    await expect(app.call('audit.list', {})).rejects.toMatchObject({ code: 'ERR_SCOPE' })
  })

  it('logs out; the session is gone', async () => {
    const status = await app.call('session.logout')
    expect(status.state).toBe('signed-out')
    await expect(app.call('token.info')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
  })

  it('no file the agent wrote holds the body canary, the assertion or key material (T7, T16)', async () => {
    await t.agent.services.audit.flush()
    const files = walk(t.stateDir)
    expect(files.length).toBeGreaterThan(2)
    for (const file of files) {
      const text = readFileSync(file, 'latin1')
      expect(text, file).not.toContain(CANARY)
      expect(text, file).not.toMatch(/<(\w+:)?Assertion\b/)
      expect(text, file).not.toMatch(/PRIVATE KEY|MII[A-Za-z0-9+/]{200}/)
    }
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
