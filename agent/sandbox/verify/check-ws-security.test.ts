import { createHash, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import { SignedXml } from 'xml-crypto'
import { WSU_NS } from '../../../protocol/soap/namespaces.js'
import type { SignatureAlgorithm } from '../../../protocol/xml/algorithms.js'
import { prepareWsSecurity, type WsSecurityProfile } from '../../../protocol/wssec/prepare-ws-security.js'
import { verifyWsSecurity } from '../../../protocol/wssec/verify-ws-security.js'
import { assertionInput, mintAssertion } from '../../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../../test/helpers/test-pki.js'
import { checkStsAssertion } from './check-sts-assertion.js'
import { checkWsSecurity, type MessageToken } from './check-ws-security.js'

const signer = sharedTestIdentity('signer')
const attacker = sharedTestIdentity('someone else')
const sts = sharedTestIdentity('sandbox STS')
const DS = 'http://www.w3.org/2000/09/xmldsig#'
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#'

const ENVELOPE =
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:m">` +
  `<s:Header><m:Routing xmlns:wsu="${WSU_NS}" wsu:Id="r-1">to-A</m:Routing></s:Header>` +
  `<s:Body><m:Op b="2" a="1">x &gt; y</m:Op></s:Body></s:Envelope>`
const X509: WsSecurityProfile = { kind: 'x509', certificateBase64: signer.certificateBase64 }

function hokProfile(stsIdentity = sts): WsSecurityProfile {
  const input = assertionInput(new Date(), signer.certificateBase64)
  return { kind: 'saml-hok', assertionXml: mintAssertion(stsIdentity, input), assertionId: input.assertionId }
}

function signed(profile: WsSecurityProfile, options: { key?: KeyObject; now?: Date; algorithm?: SignatureAlgorithm } = {}): string {
  let n = 0
  const p = prepareWsSecurity(ENVELOPE, { profile, now: options.now ?? new Date(), algorithm: options.algorithm, newId: (k) => `${k}-${++n}` })
  return p.finish(sign(p.hash, p.signedInfo, options.key ?? signer.privateKey))
}

const certKey = (base64: string) => new X509Certificate(Buffer.from(base64, 'base64')).publicKey
/** The sandbox's trust policy in miniature: a BST as is, a HOK token only once the STS signed it. */
const keyFor = (t: MessageToken) =>
  t.kind === 'x509' ? certKey(t.certificateBase64) : certKey(checkStsAssertion(t.assertionXml, { stsCertificates: [sts.certificate], now: new Date() }).hokCertificateBase64)
const check = (text: string, now = new Date()) => checkWsSecurity(text, { now, keyFor })

/** Recompute the message signature over its (edited) SignedInfo, with the signer's key. */
function resign(text: string): string {
  const start = text.lastIndexOf('<ds:SignedInfo>')
  const end = text.indexOf('</ds:SignedInfo>', start)
  const canonical = `<ds:SignedInfo xmlns:ds="${DS}">${text.slice(start + '<ds:SignedInfo>'.length, end)}</ds:SignedInfo>`
  const value = sign('sha256', Buffer.from(canonical), signer.privateKey).toString('base64')
  const v = text.lastIndexOf('<ds:SignatureValue>')
  return text.slice(0, v) + text.slice(v).replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, `<ds:SignatureValue>${value}</ds:SignatureValue>`)
}

function insertAfter(text: string, marker: string, markup: string): string {
  const i = text.indexOf(marker)
  expect(i).toBeGreaterThan(-1)
  return text.slice(0, i + marker.length) + markup + text.slice(i + marker.length)
}

describe('checkWsSecurity (the sandbox, with xml-crypto)', () => {
  it('accepts both profiles, RSA-SHA256 and RSA-SHA1, and returns the Body as xml-crypto canonicalized it', async () => {
    for (const algorithm of ['rsa-sha256', 'rsa-sha1'] as const) {
      const x509 = await check(signed(X509, { algorithm }))
      expect(x509.token).toEqual({ kind: 'x509', certificateBase64: signer.certificateBase64 })
      expect(x509.canonicalBody).toBe(
        `<s:Body xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu="${WSU_NS}" wsu:Id="id-1"><m:Op xmlns:m="urn:m" a="1" b="2">x &gt; y</m:Op></s:Body>`,
      )
      const hok = await check(signed(hokProfile(), { algorithm }))
      expect(hok.token).toMatchObject({ kind: 'saml-hok', assertionId: assertionInput(new Date(), '').assertionId })
    }
  })

  it('refuses a wrong key, a tampered Body, a stale and a future Timestamp', async () => {
    const text = signed(hokProfile())
    await expect(checkWsSecurity(text, { now: new Date(), keyFor: () => attacker.certificate.publicKey })).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
      message: /signature value does not match/,
    })
    await expect(check(text.replace('x &gt; y', 'x &gt; z'))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID', message: /digest of #id-1/ })
    await expect(check(text, new Date(Date.now() + 60_000 + 5 * 60_000 + 1000))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID', message: /Timestamp has expired/ })
    await expect(check(text, new Date(Date.now() - 6 * 60_000))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID', message: /Timestamp is in the future/ })
  })

  it('refuses a holder-of-key message signed by another key than the token binds, or a token not from the STS', async () => {
    await expect(check(signed(hokProfile(), { key: attacker.privateKey }))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    await expect(check(signed(hokProfile(attacker)))).rejects.toMatchObject({ code: 'ERR_TOKEN_UNTRUSTED' })
  })

  it('trusts nothing in KeyInfo: a certificate added there does not make the attacker the signer', async () => {
    // The BST names the signer, the signature is the attacker's, and KeyInfo offers the
    // attacker's certificate too.
    const forged = signed(X509, { key: attacker.privateKey }).replace(
      '</wsse:SecurityTokenReference></ds:KeyInfo>',
      `</wsse:SecurityTokenReference><ds:X509Data><ds:X509Certificate>${attacker.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    )
    await expect(check(forged)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID', message: /signature value does not match/ })
    // xml-crypto told to take the key from KeyInfo would have accepted it: the configuration is what refuses.
    const doc = new DOMParser().parseFromString(forged, 'text/xml')
    const signatures = doc.getElementsByTagNameNS(DS, 'Signature')
    const naive = new SignedXml({ getCertFromKeyInfo: SignedXml.getCertFromKeyInfo })
    naive.loadSignature(signatures[signatures.length - 1]!)
    expect(naive.checkSignature(forged)).toBe(true)
  })

  it('refuses a signature that covers another element as well, even one validly signed', async () => {
    const canonicalRouting = `<m:Routing xmlns:m="urn:m" xmlns:wsu="${WSU_NS}" wsu:Id="r-1">to-A</m:Routing>`
    const digest = createHash('sha256').update(canonicalRouting).digest('base64')
    const extra =
      `<ds:Reference URI="#r-1"><ds:Transforms><ds:Transform Algorithm="${EXC}"></ds:Transform></ds:Transforms>` +
      `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></ds:DigestMethod><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`
    const text = signed(X509)
    const i = text.lastIndexOf('</ds:SignedInfo>')
    const widened = resign(text.slice(0, i) + extra + text.slice(i))
    // The agent's own verifier takes it (it only requires the Body, Timestamp and BST among the references).
    await expect(verifyWsSecurity(widened, { now: new Date(), keyFor })).resolves.toBeDefined()
    await expect(check(widened)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_WRAPPING', message: /covers m:Routing, which it must not/ })
  })

  it('refuses a signature that does not cover the Body, or the BinarySecurityToken of the X.509 profile', async () => {
    const text = signed(X509)
    const noBody = resign(text.replace(/<ds:Reference URI="#id-1">[\s\S]*?<\/ds:Reference>/, ''))
    await expect(check(noBody)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_WRAPPING', message: 'the signature does not cover the Body' })
    const noBst = resign(text.replace(/<ds:Reference URI="#X509-3">[\s\S]*?<\/ds:Reference>/, ''))
    await expect(check(noBst)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_WRAPPING', message: 'the signature does not cover the BinarySecurityToken' })
  })

  it('refuses a reference to the Body with other transforms than exc-c14n alone', async () => {
    const text = signed(X509).replace(
      `<ds:Reference URI="#id-1"><ds:Transforms>`,
      `<ds:Reference URI="#id-1"><ds:Transforms><ds:Transform Algorithm="${DS}enveloped-signature"></ds:Transform>`,
    )
    await expect(check(resign(text))).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM' })
  })

  it('refuses the classic wrapping: the signed Body moved into the header, another Body in its place', async () => {
    const text = signed(X509)
    const moved = text
      .replace('<s:Body xmlns:wsu="', '<s:Body xmlns:x="')
      .replace(' wsu:Id="id-1">', '>')
      .replace('x &gt; y', 'something else')
      .replace('</m:Routing>', `</m:Routing><m:Wrapper xmlns:wsu="${WSU_NS}" wsu:Id="id-1"><m:Op b="2" a="1">x &gt; y</m:Op></m:Wrapper>`)
    await expect(check(moved)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_WRAPPING', message: /covers m:Wrapper, which it must not/ })
  })

  it('refuses an id used twice anywhere, whatever the id attribute', async () => {
    const text = signed(X509)
    await expect(check(text.replace('</m:Routing>', `</m:Routing><m:Note xmlns:wsu="${WSU_NS}" wsu:Id="id-1"/>`))).rejects.toMatchObject({ code: 'ERR_XML_DUPLICATE_ID' })
    await expect(check(text.replace('</m:Routing>', '</m:Routing><m:Note ID="TS-2"/>'))).rejects.toMatchObject({ code: 'ERR_XML_DUPLICATE_ID' })
    await expect(check(text.replace('<m:Op ', '<m:Op AssertionID="X509-3" '))).rejects.toMatchObject({ code: 'ERR_XML_DUPLICATE_ID' })
  })

  it('refuses a second ds:Signature in the Security header, beside the first or nested', async () => {
    const text = signed(X509)
    const signature = /<ds:Signature [\s\S]*<\/ds:Signature>/.exec(text)![0]
    await expect(check(text.replace(signature, signature + signature))).rejects.toMatchObject({ message: /expected one ds:Signature in the Security header, found 2/ })
    const nested = insertAfter(text, '</wsu:Timestamp>', `<m:Extra>${signature.replace('Id="SIG-4"', 'Id="SIG-5"')}</m:Extra>`)
    await expect(check(nested)).rejects.toMatchObject({ message: /holds more than one ds:Signature/ })
  })
})
