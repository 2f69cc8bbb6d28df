import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// The STS signer rotates during a session, as eHealth's does every few years: a new signer from
// the same CA changes nothing for the user (signing and renewal keep working, no setting to
// touch); a look-alike signer (the same name, another CA) is refused with ERR_TOKEN_UNTRUSTED,
// naming its certificate.
let t: TestAgent
let app: AgentClient
beforeAll(async () => {
  t = await startTestAgent()
  app = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
}, 120_000)
afterAll(() => t?.agent.close())

/** The certificate the current token is signed with (its ds:Signature KeyInfo). */
function tokenSigner(): X509Certificate {
  const xml = t.agent.services.session.current()!.assertion.xml
  const b64 = /<ds:Signature[\s\S]*<ds:X509Certificate>([\s\S]*?)<\/ds:X509Certificate>/.exec(xml)![1]!
  return new X509Certificate(Buffer.from(b64.replace(/\s+/g, ''), 'base64'))
}

async function callService(): Promise<string> {
  const endpoint = t.agent.services.environment.services.hokEcho!
  const answer = await app.call('soap.call', { endpoint, envelope: makeEnvelope(500) })
  expect(answer.status).toBe(200)
  // The sandbox service checked the token (xml-crypto, its STS's certificates) and accepted it.
  expect(answer.envelope).toContain('<echo:Accepted>true</echo:Accepted>')
  return answer.assertionId
}

describe('an STS signer rotation during a session', () => {
  it('same CA: renewal, signing and a new sign-in keep working, with no setting changed', async () => {
    await app.call('session.login', { profile: 'doctor' })
    const original = tokenSigner()
    expect(original.fingerprint256).toBe(t.sandbox.state.pki.sts.sha256)
    const firstId = await callService()

    const rotated = t.sandbox.state.stsSigning.rotate('same-ca')
    const renewed = await t.agent.services.session.renew()
    expect(renewed.assertion.assertionId).not.toBe(firstId)
    expect(tokenSigner().fingerprint256).toBe(rotated.certificate.fingerprint256)
    expect(await callService()).toBe(renewed.assertion.assertionId)
    const signed = await app.call('soap.sign', { envelope: makeEnvelope(200) })
    expect(signed.assertionId).toBe(renewed.assertion.assertionId)

    await app.call('session.logout')
    await app.call('session.login', { profile: 'doctor' })
    expect(tokenSigner().fingerprint256).toBe(rotated.certificate.fingerprint256)
    await callService()
  })

  it('look-alike (same name, another CA): the renewal is refused naming the certificate; the valid token stays in use; a new sign-in is refused too', async () => {
    const current = t.agent.services.session.current()!
    const lookAlike = t.sandbox.state.stsSigning.rotate('look-alike')
    const failed = await t.agent.services.session.renew().then(
      () => {
        throw new Error('renewed with the look-alike signer')
      },
      (err: unknown) => err as { code: string; message: string; data: Record<string, unknown> },
    )
    expect(failed).toMatchObject({ code: 'ERR_TOKEN_UNTRUSTED' })
    expect(failed.data.certificate).toMatchObject({
      subject: 'CN="CBE=0809394427, IAMSANDBOX", OU=eHealth-platform Belgium, OU=EHEALTH-PLATFORM, OU="CBE=0809394427", OU=IAMSANDBOX, O=Federal Government, C=BE',
      issuer: 'CN=TEST eHealth sandbox issuing CA, SERIALNUMBER=001, O=ehealth-agent sandbox, C=BE',
      sha256: lookAlike.certificate.fingerprint256,
    })
    expect(failed.message).toContain(lookAlike.certificate.fingerprint256)
    expect(failed.message).toContain('trustedStsCertificates')
    // Still signed in with the token the real signer issued; calls keep working with it.
    expect(t.agent.services.session.current()!.assertion.assertionId).toBe(current.assertion.assertionId)
    expect(await callService()).toBe(current.assertion.assertionId)

    await app.call('session.logout')
    const refused = await app.call('session.login', { profile: 'doctor' }).then(
      () => {
        throw new Error('signed in with the look-alike signer')
      },
      (err: unknown) => err as { code: string; data: { certificate?: { sha256: string } } },
    )
    expect(refused).toMatchObject({ code: 'ERR_TOKEN_UNTRUSTED', data: { certificate: { sha256: lookAlike.certificate.fingerprint256 } } })
    expect(t.agent.services.session.current()).toBeUndefined()
  })
})
