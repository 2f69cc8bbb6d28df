import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseFaultSpec } from '../../agent/sandbox/parse-fault-spec.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// eHealth under maintenance answers HTTP 503 with an HTML page instead of SOAP. The agent says
// so in words, and retries it as any 503, within its attempts.
let t: TestAgent
let app: AgentClient
beforeAll(async () => {
  t = await startTestAgent()
  app = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
}, 120_000)
afterAll(() => t?.agent.close())
afterEach(() => t.sandbox.state.faults.clear())

describe('eHealth under maintenance', () => {
  it('a short maintenance window: the sign-in is retried and succeeds', async () => {
    parseFaultSpec('/IAM/SecurityTokenService/v1:maintenance=2', t.sandbox.state.faults)
    await expect(app.call('session.login', { profile: 'doctor' })).resolves.toMatchObject({ state: 'signed-in' })
    await app.call('session.logout')
  })

  it('a longer one: ERR_UNAVAILABLE saying eHealth is under maintenance, after the retries', async () => {
    parseFaultSpec('/IAM/SecurityTokenService/v1:maintenance=10', t.sandbox.state.faults)
    const err = await app.call('session.login', { profile: 'doctor' }).then(
      () => {
        throw new Error('signed in under maintenance')
      },
      (e: unknown) => e as { code: string; message: string; data: Record<string, unknown> },
    )
    expect(err).toMatchObject({ code: 'ERR_UNAVAILABLE', data: { status: 503, maintenance: true } })
    expect(err.message).toMatch(/^eHealth is under maintenance: 127\.0\.0\.1:\d+ answered HTTP 503 with its maintenance page/)
    // It was retried (each attempt met a maintenance answer), and gave up before ten.
    let left = 0
    while (t.sandbox.state.faults.take('/IAM/SecurityTokenService/v1')) left++
    expect(10 - left).toBeGreaterThanOrEqual(2)
    expect(left).toBeGreaterThan(0)
  })

  it('a service under maintenance: soap.call says so too', async () => {
    await app.call('session.login', { profile: 'doctor' })
    const endpoint = t.agent.services.environment.services.hokEcho!
    parseFaultSpec(`${new URL(endpoint).pathname}:maintenance=10`, t.sandbox.state.faults)
    await expect(app.call('soap.call', { endpoint, envelope: makeEnvelope(200) })).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', data: { maintenance: true } })
  })
})
