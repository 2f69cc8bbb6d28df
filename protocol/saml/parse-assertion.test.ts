import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { SAML_URIS } from './names.js'
import { parseAssertion } from './parse-assertion.js'

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const otherHok = sharedTestIdentity('Other HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')
const input = assertionInput(NOW, hok.certificateBase64)
const token = mintAssertion(sts, input)

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgentError) return err.code
    throw err
  }
  throw new Error('expected an AgentError, got none')
}

describe('parseAssertion', () => {
  it('reads every field of an STS token', () => {
    const a = parseAssertion(token)
    expect(a).toMatchObject({
      xml: token,
      assertionId: '_42e7a00652420d86ee884f295a3fbf02',
      issuer: 'urn:be:fgov:ehealth:sts:1_0',
      confirmationMethod: SAML_URIS.holderOfKey,
      hokCertificateBase64: hok.certificateBase64,
      authenticationMethod: SAML_URIS.x509Pki,
      nameIdentifier: { format: SAML_URIS.x509SubjectName, ...input.nameIdentifier },
    })
    expect(a.issueInstant.toISOString()).toBe('2025-01-10T09:00:01.123Z')
    expect(a.authenticationInstant.toISOString()).toBe('2025-01-10T09:00:01.123Z')
    expect(a.conditions.notBefore.toISOString()).toBe('2025-01-10T09:00:01.123Z')
    expect(a.conditions.notOnOrAfter.toISOString()).toBe('2025-01-11T09:00:01.123Z')
    expect(a.attributes).toEqual(input.attributes)
  })

  it('reads a prefixed, pretty-printed assertion (the JMeter/TC spelling) with several values', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    AssertionID="e4746fd5" IssueInstant="2025-01-10T10:00:01+01:00" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">
  <saml:Conditions NotBefore="2025-01-10T09:00:00Z" NotOnOrAfter="2025-01-10T21:00:00.5Z"/>
  <saml:AuthenticationStatement AuthenticationInstant="2025-01-10T09:00:01Z" AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:X509-PKI">
    <saml:Subject>
      <saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName" NameQualifier="CN=CA">
        CN=Doctor, C=BE
      </saml:NameIdentifier>
      <saml:SubjectConfirmation>
        <saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:holder-of-key</saml:ConfirmationMethod>
        <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>
          MIIB
          AAAA
        </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
      </saml:SubjectConfirmation>
    </saml:Subject>
  </saml:AuthenticationStatement>
  <saml:AttributeStatement>
    <saml:Subject>
      <saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName" NameQualifier="CN=CA">CN=Doctor, C=BE</saml:NameIdentifier>
    </saml:Subject>
    <saml:Attribute AttributeName="urn:be:fgov:person:ssin:ehealth:1.0:professional:doctor:boolean" AttributeNamespace="urn:be:fgov:certified-namespace:ehealth">
      <saml:AttributeValue xsi:type="xs:string">false</saml:AttributeValue>
      <saml:AttributeValue>a &amp; b</saml:AttributeValue>
    </saml:Attribute>
  </saml:AttributeStatement>
</saml:Assertion>
`
    const a = parseAssertion(xml)
    expect(a.xml.startsWith('<saml:Assertion ')).toBe(true)
    expect(a.xml.endsWith('</saml:Assertion>')).toBe(true)
    expect(a.issueInstant.toISOString()).toBe('2025-01-10T09:00:01.000Z')
    expect(a.conditions.notOnOrAfter.toISOString()).toBe('2025-01-10T21:00:00.500Z')
    expect(a.nameIdentifier.value).toBe('CN=Doctor, C=BE')
    expect(a.hokCertificateBase64).toBe('MIIBAAAA')
    expect(a.attributes).toEqual([
      { name: 'urn:be:fgov:person:ssin:ehealth:1.0:professional:doctor:boolean', namespace: 'urn:be:fgov:certified-namespace:ehealth', values: ['false', 'a & b'] },
    ])
  })

  it('refuses an AttributeStatement about another subject or bound to another key', () => {
    const otherName = token.replace(/(<AttributeStatement><Subject><NameIdentifier[^>]*>)CN=/, '$1CN=Someone else, ')
    expect(otherName).not.toBe(token)
    expect(codeOf(() => parseAssertion(otherName))).toBe('ERR_SAML_INVALID')

    const confirmation = `<SubjectConfirmation><ConfirmationMethod>${SAML_URIS.holderOfKey}</ConfirmationMethod><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>CERT</ds:X509Certificate></ds:X509Data></ds:KeyInfo></SubjectConfirmation>`
    const attrSubjectEnd = /<AttributeStatement><Subject><NameIdentifier[^>]*>[^<]*<\/NameIdentifier>/
    const sameKey = token.replace(attrSubjectEnd, (m) => m + confirmation.replace('CERT', hok.certificateBase64))
    expect(parseAssertion(sameKey).attributes).toHaveLength(4)
    const otherKey = token.replace(attrSubjectEnd, (m) => m + confirmation.replace('CERT', otherHok.certificateBase64))
    expect(codeOf(() => parseAssertion(otherKey))).toBe('ERR_SAML_INVALID')
  })

  it('refuses a subject not confirmed by holder-of-key only', () => {
    const bearer = token.replace(SAML_URIS.holderOfKey, 'urn:oasis:names:tc:SAML:1.0:cm:bearer')
    expect(codeOf(() => parseAssertion(bearer))).toBe('ERR_SAML_INVALID')
    const both = token.replace('<ConfirmationMethod>', '<ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</ConfirmationMethod><ConfirmationMethod>')
    expect(codeOf(() => parseAssertion(both))).toBe('ERR_SAML_INVALID')
    const noKey = token.replace(/<ds:KeyInfo xmlns:ds="[^"]*"><ds:X509Data><ds:X509Certificate>[^<]*<\/ds:X509Certificate><\/ds:X509Data><\/ds:KeyInfo><\/SubjectConfirmation>/, '</SubjectConfirmation>')
    expect(noKey).not.toBe(token)
    expect(codeOf(() => parseAssertion(noKey))).toBe('ERR_SAML_INVALID')
  })

  it('refuses missing or malformed Conditions, versions, dates and unknown elements', () => {
    const cases = [
      token.replace(/<Conditions [^>]*><\/Conditions>/, ''),
      token.replace(/ NotOnOrAfter="[^"]*"/, ''),
      token.replace(/NotOnOrAfter="[^"]*"/, 'NotOnOrAfter="2025-01-10T09:00:01.123Z"'),
      token.replace(/NotBefore="[^"]*"/, 'NotBefore="2025-01-10T09:00:01"'),
      token.replace(/NotBefore="[^"]*"/, 'NotBefore="2025-02-30T09:00:01Z"'),
      token.replace('MinorVersion="1"', 'MinorVersion="0"'),
      token.replace(' Issuer="urn:be:fgov:ehealth:sts:1_0"', ''),
      token.replace('<AttributeStatement>', '<AuthorizationDecisionStatement></AuthorizationDecisionStatement><AttributeStatement>'),
      token.replace(/<AuthenticationStatement .*<\/AuthenticationStatement>/, ''),
      token.replace('<AttributeValue>true</AttributeValue>', '<AttributeValue>true</AttributeValue><Other/>'),
      '<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="x"/>',
    ]
    for (const xml of cases) {
      expect(xml).not.toBe(token)
      expect(codeOf(() => parseAssertion(xml))).toBe('ERR_SAML_INVALID')
    }
  })

  it('refuses DOCTYPE and malformed XML through the hardened parser', () => {
    expect(codeOf(() => parseAssertion(`<!DOCTYPE Assertion SYSTEM "http://evil/x.dtd">${token}`))).toBe('ERR_XML_DTD_FORBIDDEN')
    expect(codeOf(() => parseAssertion(token.slice(0, -5)))).toBe('ERR_XML_MALFORMED')
  })
})
