import { execFileSync } from 'node:child_process'
import { createPublicKey, sign } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { WSSE_NS, WSU_NS } from '../soap/namespaces.js'
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

  it('accepts an envelope signed by xmlsec1 (an implementation we did not write)', async () => {
    requireTool('xmlsec1', 'xmlsec1')
    const dir = mkdtempSync(join(tmpdir(), 'xmlsec-sign-'))
    try {
      const now = new Date()
      const template = makeEnvelope(500).replace('<soapenv:Body>', `<soapenv:Header><wsse:Security xmlns:wsse="${WSSE_NS}">` +
        `<wsu:Timestamp xmlns:wsu="${WSU_NS}" wsu:Id="TS-x"><wsu:Created>${now.toISOString()}</wsu:Created><wsu:Expires>${new Date(now.getTime() + 60_000).toISOString()}</wsu:Expires></wsu:Timestamp>` +
        `<wsse:BinarySecurityToken xmlns:wsu="${WSU_NS}" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" wsu:Id="X509-x">${key.certificateBase64}</wsse:BinarySecurityToken>` +
        `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
        ['id-x', 'TS-x', 'X509-x'].map((id) => `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>`).join('') +
        `</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#X509-x" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>` +
        `</wsse:Security></soapenv:Header><soapenv:Body xmlns:wsu="${WSU_NS}" wsu:Id="id-x">`)
      writeFileSync(join(dir, 't.xml'), template)
      writeFileSync(join(dir, 'k.pem'), key.privateKeyPem)
      execFileSync('xmlsec1', ['--sign', '--privkey-pem', join(dir, 'k.pem'), '--id-attr:Id', `${WSU_NS}:Timestamp`, '--id-attr:Id', 'http://schemas.xmlsoap.org/soap/envelope/:Body', '--id-attr:Id', `${WSSE_NS}:BinarySecurityToken`, '--output', join(dir, 'o.xml'), join(dir, 't.xml')])
      const out = readFileSync(join(dir, 'o.xml'), 'utf8')
      const v = await verifyWsSecurity(out, { now, keyFor })
      expect(v.token.kind).toBe('x509')
      await expect(verifyWsSecurity(out.replace('R/1234', 'R/1'), { now, keyFor })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** Recompute the SignatureValue over the (edited) SignedInfo, as an attacker holding no key cannot. */
function resignFirstSignature(text: string): string {
  const si = /<ds:SignedInfo>([\s\S]*?)<\/ds:SignedInfo>/.exec(text)!
  const canonical = `<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${si[1]}</ds:SignedInfo>`
  const value = sign('sha256', Buffer.from(canonical), key.privateKey).toString('base64')
  return text.replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, `<ds:SignatureValue>${value}</ds:SignatureValue>`)
}
