import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { iamConnectProviderOf } from '../../agent/sandbox/oidc/iam-connect-provider.js'
import { answerSandboxPagesAutomatically } from '../../agent/sandbox/oidc/walk-sandbox-pages.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// IAM Connect sign-in through the agent's own API: session.login {method: "iam-connect"}, the
// sandbox's provider pages answered as the demo doctor (what `ehagent start --demo` does), then the
// exchanged SAML token used by soap.call, with the real identity in the privacy log (IAM eXchange
// Annex A §1.5).
let t: TestAgent
let cli: AgentClient

beforeAll(async () => {
  t = await startTestAgent({ iamConnectOpenUrl: answerSandboxPagesAutomatically({ person: 'doctor', profile: 'doctor' }) })
  cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
})

describe('session.login with IAM Connect, end to end through the agent', () => {
  it('signs in without a card reader and holds a SAML token exchanged for the chosen profile', async () => {
    const status = await cli.call('session.login', { method: 'iam-connect', profile: 'doctor' })
    expect(status.state).toBe('signed-in')
    const info = await cli.call('token.info')
    expect(info.origin).toBe('iam-connect')
    expect(info.profile.id).toBe('doctor')
    expect(info.realIdentity?.subject).toBeTruthy()
  })

  it('the exchanged token serves soap.call, accepted by the sandbox HOK service', async () => {
    const endpoint = t.agent.services.environment.services.hokEcho!
    const answer = await cli.call('soap.call', { endpoint, envelope: makeEnvelope(500) })
    expect(answer.envelope).toContain('<echo:Accepted>true</echo:Accepted>')
  })

  it('the privacy log records, for that use, the real identity behind the token', async () => {
    await t.agent.services.audit.flush()
    const { records } = await cli.call('audit.list', { method: 'soap.call' })
    expect(records[0]?.token?.realIdentity?.issuer).toMatch(/\/auth\/realms\/healthcare$/)
    expect(records[0]?.token?.realIdentity?.subject).toBeTruthy()
  })

  it('logout reaches the provider\'s end-session endpoint; the next sign is refused until a new sign-in', async () => {
    const provider = iamConnectProviderOf(t.sandbox.state)!
    const before = provider.logouts.length
    await cli.call('session.logout')
    expect(provider.logouts.length).toBe(before + 1)
    await expect(cli.call('token.info')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
  })
})
