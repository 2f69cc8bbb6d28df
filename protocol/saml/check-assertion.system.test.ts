import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion, samlsignVerify } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { SAML_ASSERTION_ID_ATTR, xmlsecVerify } from '../../test/helpers/xmlsec.js'
import { checkAssertion } from './check-assertion.js'

// What checkAssertion accepts, implementations we did not write accept too: xmlsec1 (libxmlsec1)
// and samlsign (OpenSAML, SAML signature profile). checkAssertion itself is tested in
// check-assertion.test.ts.

const sts = sharedTestIdentity('Test STS')
const otherSts = sharedTestIdentity('Other STS')
const hok = sharedTestIdentity('Test HOK')

const NOW = new Date('2025-01-10T09:00:01.123Z')
const input = assertionInput(NOW, hok.certificateBase64)
const token = mintAssertion(sts, input)

describe('a minted token, verified independently', () => {
  it('verifies with xmlsec1 (libxmlsec1) and is refused by it once tampered', () => {
    const ok = xmlsecVerify(token, sts.certificatePem, [SAML_ASSERTION_ID_ATTR])
    expect(ok.output).toContain('OK')
    expect(ok.ok).toBe(true)
    const bad = xmlsecVerify(token.replace('>51234567890<', '>51234567891<'), sts.certificatePem, [SAML_ASSERTION_ID_ATTR])
    expect(bad.ok).toBe(false)
  })

  it('verifies with samlsign (OpenSAML, SAML signature profile) and is refused by it once tampered', () => {
    const ok = samlsignVerify(token, sts.certificatePem)
    expect(ok.output).toBe('')
    expect(ok.ok).toBe(true)
    expect(samlsignVerify(token.replace('>51234567890<', '>51234567891<'), sts.certificatePem).ok).toBe(false)
    expect(samlsignVerify(token, otherSts.certificatePem).ok).toBe(false)
  })

  it('rsa-sha1: accepted by checkAssertion, xmlsec1 and samlsign alike', () => {
    const sha1 = mintAssertion(sts, { ...input, algorithm: 'rsa-sha1' })
    expect(sha1).toContain('xmldsig#rsa-sha1')
    expect(checkAssertion(sha1, { trustedSigners: [sts.certificate], now: NOW }).assertionId).toBe(input.assertionId)
    expect(xmlsecVerify(sha1, sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(true)
    expect(samlsignVerify(sha1, sts.certificatePem).ok).toBe(true)
  })
})
