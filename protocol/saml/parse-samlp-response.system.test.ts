import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion, responseWithOuterSamlPrefix } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { SAML_ASSERTION_ID_ATTR, xmlsecVerify } from '../../test/helpers/xmlsec.js'
import { parseSamlpResponse } from './parse-samlp-response.js'

// parseSamlpResponse's output, checked by xmlsec1 (libxmlsec1). The parser itself is tested in
// parse-samlp-response.test.ts.

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')
const REQUEST_ID = 'request-8f0b5a52-3c1e-4d57-9a0b-2f6c1d9e7a41'
const token = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))

describe('parseSamlpResponse, checked independently', () => {
  it('an assertion that relies on the response for its saml prefix verifies in the response, and still verifies once taken out', () => {
    const text = responseWithOuterSamlPrefix(sts, token, REQUEST_ID)
    expect(xmlsecVerify(text, sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(true)
    const { assertionXml } = parseSamlpResponse(text, { expectedInResponseTo: REQUEST_ID })
    expect(assertionXml).not.toBe(text)
    expect(xmlsecVerify(assertionXml, sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(true)
  })
})
