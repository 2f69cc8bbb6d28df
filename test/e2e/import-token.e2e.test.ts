import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { findPersonBySsin, profilesFor } from '../../agent/sandbox/directory.js'
import { issueSsoToken } from '../../agent/sandbox/idp/issue-sso-token.js'
import type { KeystoreId } from '../../agent/sandbox/pki/types.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// `ehagent import-token FILE` and `session.importToken`: the token is recognised by its content,
// in every shape a user may hold it, and a well-formed token that is not for this session is
// refused with the check that failed, never as a format error.
let t: TestAgent
let scratch: string
let client: AgentClient
const cli = (...argv: string[]) => runCliCaptured([...argv, '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })

beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'import-token-'))
  client = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})
afterEach(async () => {
  t.sandbox.state.faults.clear()
  await t.agent.services.session.logout('user')
})

/** A token as the sandbox IDP issues it for `keystore`'s holder, doctor profile: the .ehtoken file and the bare assertion. */
function issue(keystore: KeystoreId = 'doctor') {
  const ks = t.sandbox.state.pki.keystores[keystore]
  const person = findPersonBySsin(ks.ssin!)!
  const choice = profilesFor(ks.ssin!).find((c) => c.profile === (keystore === 'doctor' ? 'doctor' : 'citizen')) ?? profilesFor(ks.ssin!)[0]!
  const issued = issueSsoToken(t.sandbox.state, person, choice)
  if (issued.kind !== 'issued') throw new Error(`the sandbox IDP did not issue a token: ${issued.kind}`)
  const file = issued.result.fileText
  const assertion = file.slice(file.indexOf('<Assertion'), file.indexOf('</ehtoken:Assertion>'))
  return { file, assertion, assertionId: issued.result.assertionId }
}

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'
const WST = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512'
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64').replace(/(.{76})/g, '$1\n')
const shapes: [string, (token: ReturnType<typeof issue>) => string][] = [
  ['.ehtoken', (k) => k.file],
  ['bare assertion, as issued', (k) => k.assertion],
  ['bare assertion with an XML declaration, a BOM and a trailing newline', (k) => `\uFEFF<?xml version="1.0" encoding="UTF-8"?>${k.assertion}\n`],
  ['RSTR', (k) => `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}"><wst:RequestedSecurityToken>${k.assertion}</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse>`],
  ['SOAP envelope with an RSTR collection', (k) => `<s:Envelope xmlns:s="${SOAP11}"><s:Body><wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}"><wst:RequestSecurityTokenResponse><wst:RequestedSecurityToken>${k.assertion}</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse></wst:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`],
  ['SOAP envelope with a samlp:Response', (k) => `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP11}"><SOAP-ENV:Body><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" InResponseTo="r" IssueInstant="2025-01-01T00:00:00Z" MajorVersion="1" MinorVersion="1" ResponseID="_x"><samlp:Status><samlp:StatusCode Value="samlp:Success"/></samlp:Status>${k.assertion}</samlp:Response></SOAP-ENV:Body></SOAP-ENV:Envelope>`],
  ['base64 of the bare assertion', (k) => b64(k.assertion) + '\n'],
  ['base64 of the .ehtoken', (k) => b64(k.file)],
]

describe('ehagent import-token FILE: every shape', () => {
  it.each(shapes)('%s', async (_what, shape) => {
    const token = issue()
    const file = join(scratch, `token-${Math.random().toString(36).slice(2)}.dat`) // the name says nothing
    writeFileSync(file, shape(token))
    const run = await cli('import-token', file, '--json')
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'signed-in', token: { origin: 'imported', assertionId: token.assertionId } })
    // The assertion is used as issued: its bytes (wrapped certificate base64 included) are what the agent holds.
    expect(t.agent.services.session.current()!.assertion.xml).toBe(token.assertion)
  })
})

describe('session.importToken: every shape, and the profile read from the token', () => {
  it.each(shapes)('%s', async (_what, shape) => {
    const token = issue()
    const status = await client.call('session.importToken', { token: shape(token) })
    expect(status).toMatchObject({ state: 'signed-in', token: { origin: 'imported', assertionId: token.assertionId } })
    expect(t.agent.services.session.current()!.profile.id).toBe('doctor')
  })
})

describe('a well-formed token that is not for this session: the check that failed', () => {
  async function refusedBoth(text: string): Promise<{ rpc: { code: string; message: string; data: Record<string, unknown> }; cli: { code: number; stderr: string } }> {
    const file = join(scratch, 'refused.xml')
    writeFileSync(file, text)
    const run = await cli('import-token', file)
    const rpc = await client.call('session.importToken', { token: text }).then(
      () => {
        throw new Error('accepted')
      },
      (err: { code: string; message: string; data: Record<string, unknown> }) => err,
    )
    expect(t.agent.services.session.current()).toBeUndefined()
    return { rpc, cli: { code: run.code, stderr: run.stderr } }
  }

  it('not signed by this environment\'s STS (the real acceptance token): ERR_TOKEN_UNTRUSTED naming the signer, before any password is asked', async () => {
    const asked = t.prompter.prompts.length
    const real = readFileSync(new URL('../fixtures/real-ehealth/acc-sts-saml11-assertion_2020-10-27_recipe-1.9.1-session.xml', import.meta.url), 'utf8')
    const { rpc, cli } = await refusedBoth(real)
    expect(rpc.code).toBe('ERR_TOKEN_UNTRUSTED')
    expect(rpc.message).toContain('CN="CBE=0809394427, IAMACC"')
    expect(rpc.data.certificate).toMatchObject({ sha256: 'BF:11:2D:2A:E9:3B:5C:FB:16:1F:E0:B8:67:C2:CC:17:D7:92:C5:CD:EE:F2:94:6C:04:EF:27:F8:E7:82:B1:96' })
    expect(cli.code).toBe(1)
    expect(cli.stderr).toContain('ERR_TOKEN_UNTRUSTED')
    expect(t.prompter.prompts.length).toBe(asked)
  })

  it('expired: ERR_TOKEN_EXPIRED with its window', async () => {
    t.sandbox.state.faults.clockSkewMs = -2 * 3600_000
    t.sandbox.state.faults.tokenLifetimeMs = 3600_000
    const { rpc, cli } = await refusedBoth(issue().assertion)
    expect(rpc.code).toBe('ERR_TOKEN_EXPIRED')
    expect(rpc.data).toHaveProperty('notOnOrAfter')
    expect(cli.code).toBe(3)
  })

  it('bound to another certificate (the nurse\'s token, the doctor\'s keystore): ERR_TOKEN_NOT_BOUND', async () => {
    const { rpc, cli } = await refusedBoth(b64(issue('nurse').assertion))
    expect(rpc.code).toBe('ERR_TOKEN_NOT_BOUND')
    expect(cli.stderr).toContain('ERR_TOKEN_NOT_BOUND')
  })

  it('an .ehtoken labelled for another environment: ERR_TOKEN_UNTRUSTED, saying which', async () => {
    const { rpc } = await refusedBoth(issue().file.replace('environment="sandbox"', 'environment="acc"'))
    expect(rpc).toMatchObject({ code: 'ERR_TOKEN_UNTRUSTED', message: expect.stringContaining('for the acc environment') })
  })

  it('not an assertion at all: ERR_SAML_INVALID (exit 7), saying what it is', async () => {
    const { rpc, cli } = await refusedBoth('<html><body>eHealth</body></html>')
    expect(rpc).toMatchObject({ code: 'ERR_SAML_INVALID', message: expect.stringContaining('not an assertion') })
    expect(cli.code).toBe(7)
  })
})
