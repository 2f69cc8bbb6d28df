import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// The agent, through its API, against the sandbox: a sign-in that fails at the STS must not leave
// the keystore unlocked, and `session.logout` must lock it even though there is no token. Before
// the fix the second sign-in went through without asking the user: one prompt instead of two.

let t: TestAgent
let agent: AgentClient

beforeAll(async () => {
  t = await startTestAgent()
  agent = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
})

async function keystoreState(): Promise<string | undefined> {
  const { keys } = await agent.call('keys.list')
  return keys.find((k) => k.kind === 'pkcs12')?.loginState
}

describe('a sign-in the STS fails leaves the keystore locked (session.login, session.logout)', () => {
  it('login with the STS answering 503, then logout, then login: exactly two prompts', async () => {
    t.sandbox.state.faults.add('/IAM/SecurityTokenService/v1', { kind: 'http', status: 503 }, Infinity)
    await expect(agent.call('session.login', { profile: 'doctor' })).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(t.prompter.prompts).toHaveLength(1)
    expect(await keystoreState()).toBe('logged-out')
    t.sandbox.state.faults.clear()

    const out = await agent.call('session.logout')
    expect(out.state).toBe('signed-out')
    const status = await agent.call('session.login', { profile: 'doctor' })
    expect(status.state).toBe('signed-in')
    expect(t.prompter.prompts).toHaveLength(2)
    expect(t.prompter.prompts.every((p) => p.requirement.secret === 'password')).toBe(true)
  })

  it('logout locks the keystore; the next sign-in asks again', async () => {
    expect(await keystoreState()).toBe('logged-in')
    await agent.call('session.logout')
    expect(await keystoreState()).toBe('logged-out')
    await agent.call('session.login', { profile: 'doctor' })
    expect(t.prompter.prompts).toHaveLength(3)
  })
})
