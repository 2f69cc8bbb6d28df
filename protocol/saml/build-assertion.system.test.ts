import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion, samlsignVerify } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { lxmlExcC14n, SAML_ASSERTION_ID_ATTR, xmlsecVerify } from '../../test/helpers/xmlsec.js'

// The assertions prepareAssertion writes, as implementations we did not write see them: lxml
// (libxml2) for the canonical form, xmlsec1 and samlsign for the signature. The builder itself is
// tested in build-assertion.test.ts.

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')

describe('prepareAssertion, checked independently', () => {
  it('libxml2 agrees that the unsigned assertion is written in canonical form', () => {
    const xml = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))
    const unsigned = xml.replace(/<ds:Signature .*<\/ds:Signature>/, '')
    expect(unsigned).not.toContain('ds:Signature')
    expect(lxmlExcC14n(unsigned, '/*', {})).toBe(unsigned)
  })

  it('hostile values escaped as values still verify with xmlsec1 and samlsign', () => {
    const input = assertionInput(NOW, hok.certificateBase64, {
      nameIdentifier: { nameQualifier: 'CN="CA" & <Co>', value: 'CN="SSIN=1", O=A&B <x>\r\n\t' },
      attributes: [{ name: 'urn:a"b', namespace: 'urn:n<s>', values: ['1 < 2 & "3" ]]> \r', ''] }],
    })
    const xml = mintAssertion(sts, input)
    expect(xmlsecVerify(xml, sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(true)
    expect(samlsignVerify(xml, sts.certificatePem).ok).toBe(true)
  })
})
