import { sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { samlpRequestInput } from '../../test/helpers/saml-request-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { canonicalize, childElement, DSIG_NS, parseXml } from '../xml/index.js'
import { prepareSamlpRequest } from './build-samlp-request.js'

const hok = sharedTestIdentity('Test HOK')

// The golden file holds the request built with a fixed clock, fixed ids and a fixed dummy HOK
// certificate string (so DigestValue, which covers the certificate, is deterministic); only the
// signature value, made with a key generated at test time, is a placeholder.
const GOLDEN = new URL('./golden/samlp-request.xml', import.meta.url)

function signed(input = samlpRequestInput(hok.certificateBase64)): string {
  const p = prepareSamlpRequest(input)
  return p.finish(sign(p.hash, p.signedInfo, hok.privateKey))
}

describe('prepareSamlpRequest', () => {
  it('matches the golden file (TC template) with fixed clock and ids', () => {
    const xml = signed(samlpRequestInput('HOKCERTIFICATE'))
    const normalized = xml.replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, '<ds:SignatureValue>SIGNATURE-VALUE</ds:SignatureValue>')
    expect(normalized + '\n').toBe(readFileSync(GOLDEN, 'utf8'))
  })

  it('offers rsa-sha256 with sha256 digests', () => {
    const xml = signed(samlpRequestInput(hok.certificateBase64, { algorithm: 'rsa-sha256' }))
    expect(xml).toContain('xmldsig-more#rsa-sha256')
    expect(xml).toContain('xmlenc#sha256')
  })

  it('inserts the signature as the first child and changes nothing else', () => {
    const xml = signed()
    const { root } = parseXml(xml)
    const first = Array.from(root.childNodes).find((n) => n.nodeType === 1) as Element
    expect(first.namespaceURI).toBe(DSIG_NS)
    expect(first.localName).toBe('Signature')
    const unsigned = xml.replace(/<ds:Signature .*?<\/ds:Signature>/, '')
    expect(canonicalize(root, { exclude: childElement(root, DSIG_NS, 'Signature')! })).toBe(canonicalize(parseXml(unsigned).root))
  })

  it('uses the given issuer and format, and refuses unusable input', () => {
    const xml = signed(samlpRequestInput(hok.certificateBase64, { issuer: 'my-package', nameIdentifier: { value: 'v', nameQualifier: 'q', format: 'urn:f' } }))
    expect(xml).toContain('Issuer="my-package"')
    expect(xml).toContain('<saml:NameIdentifier Format="urn:f" NameQualifier="q">v</saml:NameIdentifier>')
    const bad = [
      samlpRequestInput(hok.certificateBase64, { requestId: 'request 1' }),
      samlpRequestInput(hok.certificateBase64, { assertionId: 'request-8f0b5a52-3c1e-4d57-9a0b-2f6c1d9e7a41' }),
      samlpRequestInput(hok.certificateBase64, { attributes: [{ name: 'n', namespace: 'ns', values: [] }] }),
      samlpRequestInput('<x/>'),
    ]
    for (const input of bad) {
      let code = ''
      try {
        prepareSamlpRequest(input)
      } catch (err) {
        code = err instanceof AgentError ? err.code : 'not an AgentError'
      }
      expect(code).toBe('ERR_SAML_INVALID')
    }
  })
})
