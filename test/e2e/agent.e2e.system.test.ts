import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectToAgent } from '../../clients/js/discover-agent.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { wssecIdAttrs, xmlsecVerify } from '../helpers/xmlsec.js'

// What the real agent signs, checked by xmlsec1 (libxmlsec1), an implementation we did not
// write. The rest of the end-to-end flow is in agent.e2e.test.ts.

let t: TestAgent

beforeAll(async () => {
  t = await startTestAgent()
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
})

describe('agent end to end, verified by xmlsec1', () => {
  it('soap.sign returns an envelope xmlsec1 verifies with the HOK certificate, and not once the Body changes', async () => {
    const client = await connectToAgent({ stateDir: t.stateDir, context: { platform: 'linux', home: t.stateDir, uid: process.getuid?.() ?? 0, env: {} } })
    await client.call('session.login', { profile: 'doctor' })
    const signed = await client.call('soap.sign', { envelope: makeEnvelope(4096) })
    const sigId = /<ds:Signature xmlns:ds="[^"]+" Id="([^"]+)"/.exec(signed.envelope)![1]!
    const verify = (xml: string) =>
      xmlsecVerify(
        xml,
        t.sandbox.state.pki.keystores.doctor.certificatePem,
        [...wssecIdAttrs('http://schemas.xmlsoap.org/soap/envelope/'), ['Id', 'http://www.w3.org/2000/09/xmldsig#:Signature']],
        ['--node-id', sigId],
      )
    const res = verify(signed.envelope)
    expect(res.output).toMatch(/OK/)
    expect(res.ok).toBe(true)
    const tampered = signed.envelope.replace('R/1234', 'R/1235')
    expect(tampered).not.toBe(signed.envelope)
    expect(verify(tampered).ok).toBe(false)
  })
})
