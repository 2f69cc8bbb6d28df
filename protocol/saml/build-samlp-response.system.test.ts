import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { SAML_ASSERTION_ID_ATTR, xmlsecVerify } from '../../test/helpers/xmlsec.js'
import { buildSamlpResponse } from './build-samlp-response.js'

// The response the sandbox's SAML-P STS sends, checked by xmlsec1 (libxmlsec1). Its shape is
// tested in build-samlp-response.test.ts.

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')
const token = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))

describe('buildSamlpResponse, checked independently', () => {
  it('the signed assertion inserted verbatim still verifies in place with xmlsec1, and not once tampered', () => {
    const text = buildSamlpResponse({ responseId: '_r1', inResponseTo: 'request-1', issueInstant: NOW, status: { code: 'Success' }, assertionXml: token })
    expect(xmlsecVerify(text, sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(true)
    expect(xmlsecVerify(text.replace('>51234567890<', '>51234567891<'), sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(false)
  })
})
