import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { prepareAssertion } from '../../../protocol/saml/build-assertion.js'
import { assertionInput, mintAssertion } from '../../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../../test/helpers/test-pki.js'
import { checkStsAssertion } from './check-sts-assertion.js'

const sts = sharedTestIdentity('sandbox STS')
const rogue = sharedTestIdentity('rogue STS')
const hok = sharedTestIdentity('signer')
const ISSUER = 'urn:be:fgov:ehealth:sts:1_0'

const options = (now = new Date()) => ({ stsCertificates: [sts.certificate], now, expectedIssuers: [ISSUER] })
const token = (now = new Date()) => mintAssertion(sts, assertionInput(now, hok.certificateBase64))

describe('checkStsAssertion (the sandbox, with xml-crypto)', () => {
  it('accepts an assertion the STS signed, resolving #AssertionID (not one of xml-crypto\'s default id names)', () => {
    const a = checkStsAssertion(token(), options())
    expect(a.assertionId).toBe(assertionInput(new Date(), '').assertionId)
    expect(a.hokCertificateBase64).toBe(hok.certificateBase64)
    expect(a.attributes.length).toBeGreaterThan(0)
  })

  it('refuses a changed assertion', () => {
    const changed = token().replace('51234567890', '51234567891')
    expect(() => checkStsAssertion(changed, options())).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID', message: expect.stringMatching(/digest/) }))
  })

  it('refuses another signer, whether KeyInfo names it or claims the STS certificate', () => {
    expect(() => checkStsAssertion(mintAssertion(rogue, assertionInput(new Date(), hok.certificateBase64)), options())).toThrow(
      expect.objectContaining({ code: 'ERR_TOKEN_UNTRUSTED' }),
    )
    // KeyInfo says "the STS", the key is the rogue's: KeyInfo is not what verifies.
    const p = prepareAssertion(assertionInput(new Date(), hok.certificateBase64))
    const lying = p.finish(sign(p.hash, p.signedInfo, rogue.privateKey), sts.certificateBase64)
    expect(() => checkStsAssertion(lying, options())).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }))
  })

  it('refuses an expired or not yet valid token, and an unexpected issuer', () => {
    const xml = token()
    expect(() => checkStsAssertion(xml, options(new Date(Date.now() + 25 * 3600_000)))).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_EXPIRED', message: 'the SAML token has expired' }))
    expect(() => checkStsAssertion(xml, options(new Date(Date.now() - 3600_000)))).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_EXPIRED', message: 'the SAML token is not yet valid' }))
    expect(() => checkStsAssertion(xml, { ...options(), expectedIssuers: ['urn:other'] })).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_UNTRUSTED' }))
  })

  it('refuses wrapping: an assertion inside another element, a signature moved, an id used twice', () => {
    const xml = token()
    expect(() => checkStsAssertion(`<w:Wrap xmlns:w="urn:w">${xml}</w:Wrap>`, options())).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_WRAPPING' }))
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)![0]
    const moved = xml.replace(signature, '').replace('<Conditions', `${signature}<Conditions`)
    expect(() => checkStsAssertion(moved, options())).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_WRAPPING' }))
    const id = assertionInput(new Date(), '').assertionId
    const twice = xml.replace('<Conditions', `<Conditions ID="${id}"`)
    expect(() => checkStsAssertion(twice, options())).toThrow(expect.objectContaining({ code: 'ERR_XML_DUPLICATE_ID' }))
  })
})
