import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { samlpRequestInput } from '../../test/helpers/saml-request-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { prepareSamlpRequest } from './build-samlp-request.js'
import { checkSamlpRequestSignature } from './check-samlp-request-signature.js'
import { parseSamlpRequest } from './parse-samlp-request.js'

const hok = sharedTestIdentity('Test HOK')
const other = sharedTestIdentity('Other HOK')
const input = samlpRequestInput(hok.certificateBase64)

function signedBy(key = hok.privateKey, i = input): string {
  const p = prepareSamlpRequest(i)
  return p.finish(sign(p.hash, p.signedInfo, key))
}

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgentError) return err.code
    throw err
  }
  throw new Error('expected an AgentError, got none')
}

describe('parseSamlpRequest', () => {
  it('reads back what prepareSamlpRequest wrote', () => {
    const req = parseSamlpRequest(signedBy())
    expect(req.requestId).toBe(input.requestId)
    expect(req.issueInstant.toISOString()).toBe('2025-01-10T09:00:00.000Z')
    expect(req.nameIdentifier).toEqual({ format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName', ...input.nameIdentifier })
    expect(req.hokCertificateBase64).toBe(hok.certificateBase64)
    expect(req.innerAssertion).toEqual({
      assertionId: input.assertionId,
      issuer: input.nameIdentifier.value,
      notBefore: input.notBefore,
      notOnOrAfter: input.notOnOrAfter,
    })
    expect(req.attributes).toEqual(input.attributes)
    expect(req.designators).toEqual(input.designators)
    expect(req.signature?.localName).toBe('Signature')
  })

  it('reads an unsigned request (TC signs only when header cert ≠ HOK cert)', () => {
    const unsigned = signedBy().replace(/<ds:Signature .*?<\/ds:Signature>/, '')
    const req = parseSamlpRequest(unsigned)
    expect(req.signature).toBeUndefined()
    expect(codeOf(() => checkSamlpRequestSignature(req))).toBe('ERR_SIGNATURE_INVALID')
  })

  it('refuses what is not a holder-of-key AttributeQuery', () => {
    const xml = signedBy()
    expect(codeOf(() => parseSamlpRequest(xml.replace(/holder-of-key/g, 'bearer')))).toBe('ERR_SAML_INVALID')
    expect(codeOf(() => parseSamlpRequest(xml.replace(/samlp:AttributeQuery/g, 'samlp:AuthenticationQuery')))).toBe('ERR_SAML_INVALID')
    expect(codeOf(() => parseSamlpRequest(xml.replace('MinorVersion="1" RequestID', 'MinorVersion="0" RequestID')))).toBe('ERR_SAML_INVALID')
    expect(codeOf(() => parseSamlpRequest(xml.replace(`AssertionID="${input.assertionId}"`, `AssertionID="${input.requestId}"`)))).toBe('ERR_XML_DUPLICATE_ID')
    expect(codeOf(() => parseSamlpRequest(`<!DOCTYPE r>${xml}`))).toBe('ERR_XML_DTD_FORBIDDEN')
  })
})

describe('checkSamlpRequestSignature', () => {
  it('accepts a request signed by its HOK key', () => {
    expect(checkSamlpRequestSignature(parseSamlpRequest(signedBy()))).toEqual({ signatureHash: 'sha1' })
    const sha256 = signedBy(hok.privateKey, { ...input, algorithm: 'rsa-sha256' })
    expect(checkSamlpRequestSignature(parseSamlpRequest(sha256))).toEqual({ signatureHash: 'sha256' })
  })

  it('refuses a tampered request, another key, and a KeyInfo naming another certificate', () => {
    const xml = signedBy()
    expect(codeOf(() => checkSamlpRequestSignature(parseSamlpRequest(xml.replace('doctor:nihii11', 'nurse:nihii11'))))).toBe('ERR_SIGNATURE_INVALID')
    expect(codeOf(() => checkSamlpRequestSignature(parseSamlpRequest(signedBy(other.privateKey))))).toBe('ERR_SIGNATURE_INVALID')
    const otherKeyInfo = xml.replace(`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${hok.certificateBase64}`, `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${other.certificateBase64}`)
    expect(otherKeyInfo).not.toBe(xml)
    expect(codeOf(() => checkSamlpRequestSignature(parseSamlpRequest(otherKeyInfo)))).toBe('ERR_TOKEN_NOT_BOUND')
  })

  it('accepts the KeyValue variant of KeyInfo (TC keyinfo=publickey), still verified with the HOK key', () => {
    const xml = signedBy().replace(/<ds:KeyInfo><ds:X509Data><ds:X509Certificate>[^<]*<\/ds:X509Certificate><\/ds:X509Data><\/ds:KeyInfo><\/ds:Signature>/, '<ds:KeyInfo><ds:KeyValue></ds:KeyValue></ds:KeyInfo></ds:Signature>')
    expect(xml).toContain('<ds:KeyValue>')
    expect(checkSamlpRequestSignature(parseSamlpRequest(xml))).toEqual({ signatureHash: 'sha1' })
  })

  it('refuses a signature that does not reference the request', () => {
    const xml = signedBy()
    const moved = xml.replace(`URI="#${input.requestId}"`, `URI="#${input.assertionId}"`)
    expect(codeOf(() => checkSamlpRequestSignature(parseSamlpRequest(moved)))).toBe('ERR_SIGNATURE_WRAPPING')
  })
})
