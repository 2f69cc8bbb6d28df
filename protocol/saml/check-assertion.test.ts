import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { canonicalize, childElement, indexIds, parseXml, prepareSignature } from '../xml/index.js'
import { checkAssertion, DEFAULT_ASSERTION_SKEW_MS } from './check-assertion.js'
import { SAML_NAMESPACES } from './names.js'

const sts = sharedTestIdentity('Test STS')
const otherSts = sharedTestIdentity('Other STS')
const hok = sharedTestIdentity('Test HOK')
const otherHok = sharedTestIdentity('Other HOK')

const NOW = new Date('2025-01-10T09:00:01.123Z')
const input = assertionInput(NOW, hok.certificateBase64)
const token = mintAssertion(sts, input)
const options = { trustedSigners: [sts.certificate], now: NOW, expectedHokCertificateBase64: hok.certificateBase64 }

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgentError) return err.code
    throw err
  }
  throw new Error('expected an AgentError, got none')
}

function errorOf(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgentError) return err
    throw err
  }
  throw new Error('expected an AgentError, got none')
}

/** The original's ds:Signature element text. */
function signatureText(xml: string): string {
  const at = xml.indexOf('<ds:Signature ')
  return xml.slice(at, xml.indexOf('</ds:Signature>', at) + '</ds:Signature>'.length)
}

describe('checkAssertion: a minted token', () => {
  it('is accepted and read back', () => {
    const a = checkAssertion(token, options)
    expect(a.xml).toBe(token)
    expect(a.assertionId).toBe('_42e7a00652420d86ee884f295a3fbf02')
    expect(a.issuer).toBe('urn:be:fgov:ehealth:sts:1_0')
    expect(a.conditions.notOnOrAfter.toISOString()).toBe('2025-01-11T09:00:01.123Z')
    expect(a.hokCertificateBase64).toBe(hok.certificateBase64)
    expect(a.nameIdentifier.value).toBe(input.nameIdentifier.value)
    expect(a.attributes).toEqual(input.attributes)
  })

  it('accepts rsa-sha1 too', () => {
    const sha1 = mintAssertion(sts, { ...input, algorithm: 'rsa-sha1' })
    expect(sha1).toContain('xmldsig#rsa-sha1')
    expect(checkAssertion(sha1, options).assertionId).toBe(input.assertionId)
  })

  it('keeps only the element text when an XML declaration precedes it', () => {
    const a = checkAssertion(`<?xml version="1.0" encoding="UTF-8"?>\n${token}\n`, options)
    expect(a.xml).toBe(token)
  })

  it('finds the signer among several trusted certificates, and without ds:KeyInfo', () => {
    expect(checkAssertion(token, { ...options, trustedSigners: [otherSts.certificate, sts.certificate] }).assertionId).toBe(input.assertionId)
    const sig = signatureText(token)
    const noKeyInfo = token.replace(sig, sig.replace(/<ds:KeyInfo>.*<\/ds:KeyInfo>/, ''))
    expect(noKeyInfo).not.toContain('</ds:SignatureValue><ds:KeyInfo>')
    expect(checkAssertion(noKeyInfo, { ...options, trustedSigners: [otherSts.certificate, sts.certificate] }).assertionId).toBe(input.assertionId)
    expect(codeOf(() => checkAssertion(noKeyInfo, { ...options, trustedSigners: [otherSts.certificate] }))).toBe('ERR_SIGNATURE_INVALID')
  })

  it('reads the whole value across a comment (no truncation at the first text node)', () => {
    // exc-c14n without comments ignores the comment, so the signature still verifies: the value
    // read must be the signed value, not the text before the comment.
    const commented = token.replace('>51234567890<', '>5123<!---->4567890<')
    const a = checkAssertion(commented, options)
    expect(a.attributes[2]!.values).toEqual(['51234567890'])
  })
})

describe('checkAssertion: refusals', () => {
  it('one byte changed in an attribute value: ERR_SIGNATURE_INVALID', () => {
    expect(codeOf(() => checkAssertion(token.replace('>79021802145<', '>79021802146<'), options))).toBe('ERR_SIGNATURE_INVALID')
  })

  it('one byte changed in the signature value: ERR_SIGNATURE_INVALID', () => {
    const sv = /<ds:SignatureValue>(.)/.exec(token)!
    const flipped = sv[1] === 'A' ? 'B' : 'A'
    expect(codeOf(() => checkAssertion(token.replace(sv[0], `<ds:SignatureValue>${flipped}`), options))).toBe('ERR_SIGNATURE_INVALID')
  })

  it('expired beyond the skew: ERR_TOKEN_EXPIRED with the window; inside the skew: accepted', () => {
    const end = input.notOnOrAfter.getTime()
    const err = errorOf(() => checkAssertion(token, { ...options, now: new Date(end + DEFAULT_ASSERTION_SKEW_MS) }))
    expect(err.code).toBe('ERR_TOKEN_EXPIRED')
    expect(err.data).toEqual({ notBefore: '2025-01-10T09:00:01.123Z', notOnOrAfter: '2025-01-11T09:00:01.123Z' })
    expect(checkAssertion(token, { ...options, now: new Date(end + DEFAULT_ASSERTION_SKEW_MS - 1) }).assertionId).toBe(input.assertionId)
    expect(codeOf(() => checkAssertion(token, { ...options, now: new Date(end), skewMs: 0 }))).toBe('ERR_TOKEN_EXPIRED')
  })

  it('not yet valid beyond the skew: ERR_TOKEN_EXPIRED; inside the skew: accepted', () => {
    const start = input.notBefore.getTime()
    const err = errorOf(() => checkAssertion(token, { ...options, now: new Date(start - DEFAULT_ASSERTION_SKEW_MS - 1) }))
    expect(err.code).toBe('ERR_TOKEN_EXPIRED')
    expect(err.message).toContain('not yet valid')
    expect(checkAssertion(token, { ...options, now: new Date(start - DEFAULT_ASSERTION_SKEW_MS) }).assertionId).toBe(input.assertionId)
  })

  it('signed by an untrusted key: ERR_TOKEN_UNTRUSTED', () => {
    const forged = mintAssertion(otherSts, input)
    expect(codeOf(() => checkAssertion(forged, options))).toBe('ERR_TOKEN_UNTRUSTED')
    expect(codeOf(() => checkAssertion(token, { ...options, trustedSigners: [] }))).toBe('ERR_TOKEN_UNTRUSTED')
  })

  it('signed by an untrusted key but naming the trusted certificate in ds:KeyInfo: ERR_SIGNATURE_INVALID', () => {
    const forged = mintAssertion({ ...otherSts, certificateBase64: sts.certificateBase64 }, input)
    expect(codeOf(() => checkAssertion(forged, options))).toBe('ERR_SIGNATURE_INVALID')
  })

  it('an issuer that is not expected: ERR_TOKEN_UNTRUSTED', () => {
    expect(codeOf(() => checkAssertion(token, { ...options, expectedIssuers: ['urn:be:fgov:ehealth:sts:other'] }))).toBe('ERR_TOKEN_UNTRUSTED')
    expect(checkAssertion(token, { ...options, expectedIssuers: ['urn:be:fgov:ehealth:sts:1_0'] }).issuer).toBe('urn:be:fgov:ehealth:sts:1_0')
  })

  it('bound to another certificate: ERR_TOKEN_NOT_BOUND', () => {
    expect(codeOf(() => checkAssertion(token, { ...options, expectedHokCertificateBase64: otherHok.certificateBase64 }))).toBe('ERR_TOKEN_NOT_BOUND')
    // Same DER in another base64 layout (line breaks) is the same certificate.
    const wrapped = hok.certificateBase64.replace(/(.{64})/g, '$1\n')
    expect(checkAssertion(token, { ...options, expectedHokCertificateBase64: wrapped }).assertionId).toBe(input.assertionId)
  })

  it('no signature at all: ERR_SIGNATURE_INVALID', () => {
    expect(codeOf(() => checkAssertion(token.replace(signatureText(token), ''), options))).toBe('ERR_SIGNATURE_INVALID')
  })

  it('DOCTYPE / XXE: ERR_XML_DTD_FORBIDDEN', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>${token.replace('>79021802145<', '>&x;<')}`
    expect(codeOf(() => checkAssertion(xxe, options))).toBe('ERR_XML_DTD_FORBIDDEN')
    const laughs = `<!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;">]>${token}`
    expect(codeOf(() => checkAssertion(laughs, options))).toBe('ERR_XML_DTD_FORBIDDEN')
  })

  it('fails closed on an invalid clock or skew', () => {
    expect(codeOf(() => checkAssertion(token, { ...options, now: new Date(Number.NaN) }))).toBe('ERR_INTERNAL')
    expect(codeOf(() => checkAssertion(token, { ...options, skewMs: Number.NaN }))).toBe('ERR_INTERNAL')
  })

  it('not an assertion at all: ERR_SAML_INVALID', () => {
    expect(codeOf(() => checkAssertion('<Response xmlns="urn:oasis:names:tc:SAML:1.0:protocol"/>', options))).toBe('ERR_SAML_INVALID')
  })
})

describe('checkAssertion: signature wrapping', () => {
  const sig = signatureText(token)
  const unsignedOriginal = token.replace(sig, '')
  // A forged token: same shape, the attacker's HOK certificate and a new id.
  const forgedBody = (id: string): string =>
    unsignedOriginal
      .replace(input.assertionId, id)
      .replace(hok.certificateBase64, otherHok.certificateBase64)
      .replace(/<\/Assertion>$/, '')

  it('forged assertion with the signed original hidden in Advice: ERR_SIGNATURE_WRAPPING', () => {
    const forged = forgedBody('_forged').replace('</Conditions>', `</Conditions><Advice>${token}</Advice>`) + '</Assertion>'
    expect(codeOf(() => checkAssertion(forged, { ...options, expectedHokCertificateBase64: otherHok.certificateBase64 }))).toBe('ERR_SIGNATURE_WRAPPING')
  })

  it('signature moved onto the forged root, original hidden in an extension element: ERR_SIGNATURE_WRAPPING', () => {
    const hidden = `<x:Hidden xmlns:x="urn:attacker">${unsignedOriginal}</x:Hidden>`
    const forged = forgedBody('_forged') + hidden + sig + '</Assertion>'
    expect(codeOf(() => checkAssertion(forged, { ...options, expectedHokCertificateBase64: otherHok.certificateBase64 }))).toBe('ERR_SIGNATURE_WRAPPING')
  })

  it('forged root reusing the original AssertionID, original hidden inside: ERR_XML_DUPLICATE_ID', () => {
    const forged = forgedBody(input.assertionId) + `<x:Hidden xmlns:x="urn:attacker">${unsignedOriginal}</x:Hidden>` + sig + '</Assertion>'
    expect(codeOf(() => checkAssertion(forged, options))).toBe('ERR_XML_DUPLICATE_ID')
  })

  it('a wrapper document holding a forged and the original assertion: ERR_SIGNATURE_WRAPPING', () => {
    const wrapper = `<w:Tokens xmlns:w="urn:attacker">${forgedBody('_forged')}</Assertion>${token}</w:Tokens>`
    expect(codeOf(() => checkAssertion(wrapper, options))).toBe('ERR_SIGNATURE_WRAPPING')
  })

  it('a valid STS signature over another element of the assertion: ERR_SIGNATURE_WRAPPING', () => {
    // Even a genuine STS signature must cover the root: here it covers only Conditions.
    const withId = unsignedOriginal.replace('<Conditions ', '<Conditions Id="cond-1" ')
    const { root } = parseXml(withId)
    const conditions = childElement(root, SAML_NAMESPACES.assertion, 'Conditions')!
    const p = prepareSignature({ references: [{ id: 'cond-1', canonical: canonicalize(conditions) }] })
    const signature = p.finish(sign(p.hash, p.signedInfo, sts.privateKey), `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${sts.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`)
    const forged = withId.replace(/<\/Assertion>$/, `${signature}</Assertion>`)
    expect(codeOf(() => checkAssertion(forged, options))).toBe('ERR_SIGNATURE_WRAPPING')
  })

  it('two signatures, or the signature not last: ERR_SIGNATURE_WRAPPING', () => {
    expect(codeOf(() => checkAssertion(token.replace('</Assertion>', `${sig}</Assertion>`), options))).toBe('ERR_SIGNATURE_WRAPPING')
    const moved = unsignedOriginal.replace('<AttributeStatement>', `${sig}<AttributeStatement>`)
    expect(codeOf(() => checkAssertion(moved, options))).toBe('ERR_SIGNATURE_WRAPPING')
  })

  it('a signature with a second Reference: ERR_SIGNATURE_WRAPPING', () => {
    const doubled = token.replace('</ds:Reference>', `</ds:Reference>${/<ds:Reference .*?<\/ds:Reference>/.exec(sig)![0]}`)
    expect(codeOf(() => checkAssertion(doubled, options))).toBe('ERR_SIGNATURE_WRAPPING')
  })

  it('sanity: the forged bodies parse and index (the refusals above are not parse errors)', () => {
    expect(() => indexIds(parseXml(forgedBody('_forged') + '</Assertion>').root)).not.toThrow()
  })
})
