import { sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { canonicalize, childElement, DSIG_NS, parseXml } from '../xml/index.js'
import { prepareAssertion } from './build-assertion.js'
import { checkAssertion } from './check-assertion.js'

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')

// Keys are generated at test time, so the golden file holds the signature value as a
// placeholder; the certificates are fixed dummy strings (valid base64 characters), so every other
// byte, DigestValue included, is deterministic.
const GOLDEN = new URL('./golden/assertion.xml', import.meta.url)
const DUMMY_HOK = 'HOKCERTIFICATE'
const DUMMY_STS = 'STSCERTIFICATE'

function withoutSignature(xml: string): string {
  return xml.replace(/<ds:Signature .*<\/ds:Signature>/, '')
}

describe('prepareAssertion', () => {
  it('matches the golden file (the eHealth STS token shape) with fixed input', () => {
    const p = prepareAssertion(assertionInput(NOW, DUMMY_HOK))
    const xml = p.finish(sign(p.hash, p.signedInfo, sts.privateKey), DUMMY_STS)
    const normalized = xml.replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, '<ds:SignatureValue>SIGNATURE-VALUE</ds:SignatureValue>')
    expect(normalized + '\n').toBe(readFileSync(GOLDEN, 'utf8'))
  })

  it('writes the assertion in canonical form: canonicalize(parse(text)) is the text, minus the enveloped signature', () => {
    const xml = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))
    const unsigned = withoutSignature(xml)
    expect(unsigned).not.toContain('ds:Signature')
    expect(canonicalize(parseXml(unsigned).root)).toBe(unsigned)
    const { root } = parseXml(xml)
    const signature = childElement(root, DSIG_NS, 'Signature')!
    expect(canonicalize(root, { exclude: signature })).toBe(unsigned)
  })

  it('puts the signature last, enveloped, referencing #AssertionID with enveloped + exc-c14n', () => {
    const xml = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))
    const { root } = parseXml(xml)
    const children = Array.from(root.childNodes).filter((n) => n.nodeType === 1) as Element[]
    expect(children.map((c) => c.localName)).toEqual(['Conditions', 'AuthenticationStatement', 'AttributeStatement', 'Signature'])
    expect(xml).toContain('<ds:Reference URI="#_42e7a00652420d86ee884f295a3fbf02"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:Transform></ds:Transforms>')
    expect(xml).toContain(`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${sts.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></Assertion>`)
  })

  it('escapes hostile values so that they stay values, and the result still verifies', () => {
    const input = assertionInput(NOW, hok.certificateBase64, {
      nameIdentifier: { nameQualifier: 'CN="CA" & <Co>', value: 'CN="SSIN=1", O=A&B <x>\r\n\t' },
      attributes: [{ name: 'urn:a"b', namespace: 'urn:n<s>', values: ['1 < 2 & "3" ]]> \r', ''] }],
    })
    const xml = mintAssertion(sts, input)
    const a = checkAssertion(xml, { trustedSigners: [sts.certificate], now: NOW })
    expect(a.nameIdentifier).toEqual({ format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName', nameQualifier: 'CN="CA" & <Co>', value: 'CN="SSIN=1", O=A&B <x>' })
    expect(a.attributes).toEqual(input.attributes)
  })

  it('refuses input that cannot become the intended document', () => {
    const base = assertionInput(NOW, hok.certificateBase64)
    const bad = [
      { ...base, assertionId: '1-starts-with-a-digit' },
      { ...base, assertionId: 'a"b' },
      { ...base, issuer: 'nul\u0000' },
      { ...base, hokCertificateBase64: 'not base64!' },
      { ...base, notOnOrAfter: new Date(Number.NaN) },
      { ...base, notOnOrAfter: new Date(Date.UTC(-1, 0, 1)) }, // BCE: xsd:dateTime's year -0001 means different years in XML Schema 1.0 and 1.1
      { ...base, attributes: [{ name: 'n', namespace: 'ns', values: [] }] },
    ]
    for (const input of bad) {
      let code = ''
      try {
        prepareAssertion(input)
      } catch (err) {
        code = err instanceof AgentError ? err.code : 'not an AgentError'
      }
      expect(code).toBe('ERR_SAML_INVALID')
    }
  })
})
