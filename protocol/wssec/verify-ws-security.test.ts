import { createPublicKey, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { prepareWsSecurity, type WsSecurityProfile } from './prepare-ws-security.js'
import { verifyWsSecurity, type SigningToken } from './verify-ws-security.js'

const key = sharedTestIdentity('signer')
const other = sharedTestIdentity('someone else')
const ASSERTION_ID = '_a1'
const ASSERTION = `<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="${ASSERTION_ID}" MajorVersion="1" MinorVersion="1"></Assertion>`
const HOK: WsSecurityProfile = { kind: 'saml-hok', assertionXml: ASSERTION, assertionId: ASSERTION_ID }
const X509: WsSecurityProfile = { kind: 'x509', certificateBase64: key.certificateBase64 }

function signed(profile: WsSecurityProfile, now = new Date()): string {
  let n = 0
  const p = prepareWsSecurity(makeEnvelope(1000), { profile, now, newId: (k) => `${k}-${++n}` })
  return p.finish(sign(p.hash, p.signedInfo, key.privateKey))
}

const keyFor = (t: SigningToken) =>
  t.kind === 'x509' ? createPublicKey(`-----BEGIN CERTIFICATE-----\n${t.certificateBase64}\n-----END CERTIFICATE-----`) : key.certificate.publicKey

describe('verifyWsSecurity', () => {
  it('accepts both profiles and reports the token', async () => {
    const hok = await verifyWsSecurity(signed(HOK), { now: new Date(), keyFor })
    expect(hok.token).toEqual({ kind: 'saml-hok', assertionXml: ASSERTION, assertionId: ASSERTION_ID })
    const x509 = await verifyWsSecurity(signed(X509), { now: new Date(), keyFor })
    expect(x509.token).toEqual({ kind: 'x509', certificateBase64: key.certificateBase64 })
  })

  it('refuses a wrong key, a tampered body, a stale and a future timestamp', async () => {
    const text = signed(HOK)
    await expect(verifyWsSecurity(text, { now: new Date(), keyFor: () => other.certificate.publicKey })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    await expect(verifyWsSecurity(text.replace('R/1234', 'R/9999'), { now: new Date(), keyFor })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    const later = new Date(Date.now() + 60_000 + 5 * 60_000 + 1000)
    await expect(verifyWsSecurity(text, { now: later, keyFor })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID', message: /expired/ })
    const earlier = new Date(Date.now() - 6 * 60_000)
    await expect(verifyWsSecurity(text, { now: earlier, keyFor })).rejects.toMatchObject({ message: /future/ })
  })

  it('refuses a signature that does not cover the Body (wrapping: Body moved, a fake one in its place)', async () => {
    // Sign only the Timestamp: a valid signature, but not over the Body the service would act on.
    const text = signed(X509).replace(/<ds:Reference URI="#id-1">[\s\S]*?<\/ds:Reference>/, '')
    // Re-sign the edited SignedInfo so only the coverage check can catch it.
    const resigned = resignFirstSignature(text)
    await expect(verifyWsSecurity(resigned, { now: new Date(), keyFor })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_WRAPPING' })
  })
})

/** Recompute the SignatureValue over the (edited) SignedInfo, as an attacker holding no key cannot. */
function resignFirstSignature(text: string): string {
  const si = /<ds:SignedInfo>([\s\S]*?)<\/ds:SignedInfo>/.exec(text)!
  const canonical = `<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${si[1]}</ds:SignedInfo>`
  const value = sign('sha256', Buffer.from(canonical), key.privateKey).toString('base64')
  return text.replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, `<ds:SignatureValue>${value}</ds:SignatureValue>`)
}
