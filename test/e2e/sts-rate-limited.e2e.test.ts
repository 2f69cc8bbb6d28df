import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { parseFaultSpec } from '../../agent/sandbox/parse-fault-spec.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// The STS (or a gateway in front of it) rate-limiting the agent: HTTP 429 with Retry-After
// (RFC 6585 §4, RFC 9110 §10.2.3). The agent waits what it is asked and tries again, within the
// call's deadline; a wait beyond the deadline is not taken, and the caller learns when to retry.
// Before, a 429 was a protocol error and the sign-in failed at once.

let t: TestAgent
let agent: AgentClient
const STS = '/IAM/SecurityTokenService/v1'

beforeAll(async () => {
  t = await startTestAgent()
  agent = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
})

afterEach(async () => {
  t.sandbox.state.faults.clear()
  await agent.call('session.logout')
})

const stsRequests = () => t.sandbox.state.requests.snapshot().requests[STS] ?? 0

describe('the STS answering 429 Too Many Requests', () => {
  it('twice, with Retry-After: 1: the sign-in waits, tries again, and succeeds', async () => {
    parseFaultSpec(`${STS}:http=429x2`, t.sandbox.state.faults)
    const before = stsRequests()
    const status = await agent.call('session.login', { profile: 'doctor' })
    expect(status.state).toBe('signed-in')
    expect(stsRequests() - before).toBe(3)
  })

  it('with a Retry-After beyond the deadline: ERR_UNAVAILABLE at once, saying when to retry; the keystore locked again', async () => {
    parseFaultSpec(`retry-after=3600,${STS}:http=429`, t.sandbox.state.faults)
    const before = stsRequests()
    await expect(agent.call('session.login', { profile: 'doctor' })).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
      data: { status: 429, retryAfterMs: 3_600_000 },
    })
    expect(stsRequests() - before).toBe(1)
    const { keys } = await agent.call('keys.list')
    expect(keys.find((k) => k.kind === 'pkcs12')?.loginState).toBe('logged-out')
  })
})
