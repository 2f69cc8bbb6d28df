import { X509Certificate } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion } from '../../test/helpers/saml-fixtures.js'
import { createTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { checkAssertion } from './check-assertion.js'
import { EHEALTH_STS_ISSUER } from './names.js'

const REPO = new URL('../../', import.meta.url)
const bundle = (env: 'prod' | 'acc') => {
  const dir = new URL(`agent/trust/ca-bundles/${env}/`, REPO)
  return readdirSync(dir).filter((f) => f.endsWith('.pem')).map((f) => new X509Certificate(readFileSync(new URL(f, dir))))
}
// A real acceptance token, as the Recip-e 1.9.1 example of taktik/freehealth-connector ships it:
// signed rsa-sha1 by the 2018 QuoVadis-issued IAMACC certificate, certificates base64-wrapped at
// 76 characters, xmlns:SOAP-ENV on the Assertion, NotBefore 5 minutes before IssueInstant.
const REAL_TOKEN = readFileSync(new URL('test/fixtures/real-ehealth/acc-sts-saml11-assertion_2020-10-27_recipe-1.9.1-session.xml', REPO), 'utf8')
const REAL_HOK = new X509Certificate(readFileSync(new URL('test/fixtures/real-ehealth/person-ssin-80011904703_test-zetes_2020-09-07_2021-09-08.pem', REPO)))
const AT_ISSUE = new Date('2020-10-27T13:00:00Z')
const ACC = { signerChain: { cas: bundle('acc'), signerOu: 'IAMACC' }, now: AT_ISSUE, expectedHokCertificateBase64: REAL_HOK.raw.toString('base64'), expectedIssuers: [EHEALTH_STS_ISSUER] }

function errorOf(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgentError) return err
    throw err
  }
  throw new Error('expected an AgentError, got none')
}

describe('checkAssertion by CA bundle: the real acceptance token of 2020', () => {
  it('verifies (rsa-sha1), chains to the bundled QuoVadis CA at its IssueInstant, and is read back byte for byte', () => {
    const token = checkAssertion(REAL_TOKEN, ACC)
    expect(token.assertionId).toBe('_b74cb79c4a8a05c41ada79b1c08ba2f7')
    expect(token.issueInstant.toISOString()).toBe('2020-10-27T12:59:12.454Z')
    expect(token.conditions.notBefore.getTime()).toBeLessThan(token.issueInstant.getTime())
    // The text is kept as it came, the XML declaration aside: the wrapped base64 and the extra
    // namespace declaration are part of the bytes later copied into WS-Security headers.
    expect(token.xml).toBe(REAL_TOKEN.slice(REAL_TOKEN.indexOf('<Assertion')))
    expect(token.xml).toContain('xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"')
    expect(token.xml).toMatch(/<ds:X509Certificate>[A-Za-z0-9+/]{76}\n/)
    expect(token.xml).toContain('xmldsig#rsa-sha1')
    expect(token.attributes.map((a) => a.values[0])).toEqual(['80011904703', '80011904703', '19994074001'])
  })

  it('normalising the wrapped certificate base64 breaks the signature: the raw bytes must be kept', () => {
    const normalised = REAL_TOKEN.replace(/<ds:X509Certificate>([\s\S]*?)<\/ds:X509Certificate>/, (_m, b64: string) => `<ds:X509Certificate>${b64.replace(/\s+/g, '')}</ds:X509Certificate>`)
    expect(normalised).not.toBe(REAL_TOKEN)
    expect(errorOf(() => checkAssertion(normalised, ACC)).code).toBe('ERR_SIGNATURE_INVALID')
  })

  it('is refused in production, naming the signer: the same token is not for this environment', () => {
    const err = errorOf(() => checkAssertion(REAL_TOKEN, { ...ACC, signerChain: { cas: bundle('prod'), signerOu: 'IAM' } }))
    expect(err.code).toBe('ERR_TOKEN_UNTRUSTED')
    expect(err.data.certificate).toEqual({
      subject: 'CN="CBE=0809394427, IAMACC", OU=eHealth-platform Belgium, OU=EHEALTH-PLATFORM, OU="CBE=0809394427", OU=IAMACC, O=Federal Government, C=BE',
      issuer: 'CN=QuoVadis Trust Anchor Issuing CA G2, O=QuoVadis Limited, C=BM',
      notBefore: '2018-04-10T12:11:02.000Z',
      notAfter: '2021-04-10T12:21:00.000Z',
      sha256: 'BF:11:2D:2A:E9:3B:5C:FB:16:1F:E0:B8:67:C2:CC:17:D7:92:C5:CD:EE:F2:94:6C:04:EF:27:F8:E7:82:B1:96',
    })
    expect(err.message).toContain('SHA-256 BF:11:2D')
    expect(err.message).toContain('trustedStsCertificates')
  })

  it('is refused as expired today, and as bound to another certificate for another key', () => {
    expect(errorOf(() => checkAssertion(REAL_TOKEN, { ...ACC, now: new Date('2026-12-06T10:00:00Z') })).code).toBe('ERR_TOKEN_EXPIRED')
    const other = createTestIdentity({ modulusLength: 1024 })
    expect(errorOf(() => checkAssertion(REAL_TOKEN, { ...ACC, expectedHokCertificateBase64: other.certificateBase64 })).code).toBe('ERR_TOKEN_NOT_BOUND')
  })

  it('a pinned certificate still works next to the bundle, and alone', () => {
    const signer = new X509Certificate(readFileSync(new URL('test/fixtures/real-ehealth/sts/iamacc_quovadis_2018-04-10_2021-04-10.pem', REPO)))
    expect(checkAssertion(REAL_TOKEN, { ...ACC, signerChain: { cas: [], signerOu: 'IAMACC' }, trustedSigners: [signer] }).assertionId).toBe('_b74cb79c4a8a05c41ada79b1c08ba2f7')
    const { signerChain: _unused, ...pinsOnly } = ACC
    expect(checkAssertion(REAL_TOKEN, { ...pinsOnly, trustedSigners: [signer] }).assertionId).toBe('_b74cb79c4a8a05c41ada79b1c08ba2f7')
  })
})

describe('checkAssertion by CA bundle: generated signers', () => {
  const name = (ou: string): [string, string][] => [
    ['C', 'BE'],
    ['O', 'Federal Government'],
    ['OU', ou],
    ['OU', 'CBE=0809394427'],
    ['OU', 'EHEALTH-PLATFORM'],
    ['OU', 'eHealth-platform Belgium'],
    ['CN', `CBE=0809394427, ${ou}`],
  ]
  const now = new Date()
  const ca = createTestIdentity({
    subject: [['C', 'BE'], ['CN', 'Test eHealth CA']],
    isCa: true,
    modulusLength: 1024,
    validity: { notBefore: new Date(now.getTime() - 60 * 86_400_000), notAfter: new Date(now.getTime() + 365 * 86_400_000) },
  })
  const signer = createTestIdentity({ subject: name('IAMTEST'), issuer: ca, modulusLength: 1024 })
  const rotated = createTestIdentity({ subject: name('IAMTEST'), issuer: ca, modulusLength: 1024 })
  const rogueCa = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'Test eHealth CA']], isCa: true, modulusLength: 1024 })
  const lookAlike = createTestIdentity({ subject: name('IAMTEST'), issuer: rogueCa, modulusLength: 1024 })
  const hok = createTestIdentity({ modulusLength: 1024 })
  const options = { signerChain: { cas: [ca.certificate], signerOu: 'IAMTEST' }, now, expectedHokCertificateBase64: hok.certificateBase64 }

  it('accepts tokens of the signer and of a rotated signer of the same CA, with no pin', () => {
    for (const sts of [signer, rotated]) expect(checkAssertion(mintAssertion(sts, assertionInput(now, hok.certificateBase64)), options).issuer).toBe(EHEALTH_STS_ISSUER)
  })

  it('refuses a look-alike signer (same name, a CA of the same name but another key), naming it', () => {
    const err = errorOf(() => checkAssertion(mintAssertion(lookAlike, assertionInput(now, hok.certificateBase64)), options))
    expect(err.code).toBe('ERR_TOKEN_UNTRUSTED')
    expect(err.data.certificate).toMatchObject({ subject: 'CN="CBE=0809394427, IAMTEST", OU=eHealth-platform Belgium, OU=EHEALTH-PLATFORM, OU="CBE=0809394427", OU=IAMTEST, O=Federal Government, C=BE', sha256: lookAlike.certificate.fingerprint256 })
    expect(err.data.reason).toContain('does not verify with the key of the trusted CA')
  })

  it('refuses a token dated back beyond the maximum age, even when its Conditions say it is valid now', () => {
    const old = new Date(now.getTime() - 8 * 24 * 3600_000)
    // A signer whose certificate was valid then: the age bound is what refuses the token.
    const longLived = createTestIdentity({ subject: name('IAMTEST'), issuer: ca, modulusLength: 1024, validity: { notBefore: new Date(now.getTime() - 30 * 24 * 3600_000), notAfter: new Date(now.getTime() + 86_400_000) } })
    const xml = mintAssertion(longLived, assertionInput(old, hok.certificateBase64, { notOnOrAfter: new Date(now.getTime() + 3600_000) }))
    const err = errorOf(() => checkAssertion(xml, options))
    expect(err.code).toBe('ERR_TOKEN_EXPIRED')
    expect(err.message).toContain('too long ago')
    expect(checkAssertion(xml, { ...options, maxIssueAgeMs: 9 * 24 * 3600_000 }).assertionId).toBeTruthy()
  })

  it('refuses a token issued in the future', () => {
    const later = new Date(now.getTime() + 3600_000)
    const xml = mintAssertion(signer, assertionInput(later, hok.certificateBase64, { notBefore: now }))
    expect(errorOf(() => checkAssertion(xml, options)).message).toContain('in the future')
  })

  it('with neither pins nor a bundle, nothing is trusted', () => {
    const xml = mintAssertion(signer, assertionInput(now, hok.certificateBase64))
    expect(errorOf(() => checkAssertion(xml, { now, expectedHokCertificateBase64: hok.certificateBase64 })).code).toBe('ERR_TOKEN_UNTRUSTED')
  })
})
