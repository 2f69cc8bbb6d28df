import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { samlsignVerify } from '../../test/helpers/saml-fixtures.js'
import { samlpRequestInput } from '../../test/helpers/saml-request-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { xmlsecVerify } from '../../test/helpers/xmlsec.js'
import { prepareSamlpRequest } from './build-samlp-request.js'

// The signed samlp:Request checked by implementations we did not write: xmlsec1 (libxmlsec1)
// and samlsign (OpenSAML). The shape of the request is tested in build-samlp-request.test.ts.

const hok = sharedTestIdentity('Test HOK')
const REQUEST_ID_ATTR: [string, string] = ['RequestID', 'urn:oasis:names:tc:SAML:1.0:protocol:Request']

function signed(input = samlpRequestInput(hok.certificateBase64)): string {
  const p = prepareSamlpRequest(input)
  return p.finish(sign(p.hash, p.signedInfo, hok.privateKey))
}

describe('prepareSamlpRequest, verified independently', () => {
  it('signed with a real HOK key, verifies with xmlsec1 (rsa-sha1 default) and is refused once tampered', () => {
    const xml = signed()
    expect(xml).toContain('xmldsig#rsa-sha1')
    const ok = xmlsecVerify(xml, hok.certificatePem, [REQUEST_ID_ATTR])
    expect(ok.output).toContain('OK')
    expect(ok.ok).toBe(true)
    const tampered = xml.replace('urn:be:fgov:person:ssin:doctor:boolean', 'urn:be:fgov:person:ssin:pharmacist:boolean')
    expect(xmlsecVerify(tampered, hok.certificatePem, [REQUEST_ID_ATTR]).ok).toBe(false)
  })

  it('verifies with samlsign (OpenSAML) too', () => {
    expect(samlsignVerify(signed(), hok.certificatePem).ok).toBe(true)
  })

  it('rsa-sha256 with sha256 digests verifies with xmlsec1', () => {
    const xml = signed(samlpRequestInput(hok.certificateBase64, { algorithm: 'rsa-sha256' }))
    expect(xml).toContain('xmldsig-more#rsa-sha256')
    expect(xmlsecVerify(xml, hok.certificatePem, [REQUEST_ID_ATTR]).ok).toBe(true)
  })
})
