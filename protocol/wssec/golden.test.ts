import { describe, expect, it } from 'vitest'
import { prepareWsSecurity, type WsSecurityProfile } from './prepare-ws-security.js'

// Golden files: with a fixed clock, fixed ids and a fixed signature value, the output is
// byte-identical run after run. Any change to the wire format shows up as a diff of these files.
const NOW = new Date('2025-01-10T09:00:00.000Z')
const SIGNATURE_VALUE = new Uint8Array(256).fill(0x5a)
const CERT = 'MIIBfakeCERTIFICATEbase64ForTheGoldenFileOnly=='
const ASSERTION =
  '<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_42e7a00652420d86ee884f295a3fbf02" ' +
  'IssueInstant="2025-01-10T09:00:01.123Z" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">' +
  '<Conditions NotBefore="2025-01-10T09:00:00.000Z" NotOnOrAfter="2025-01-11T09:00:00.000Z"></Conditions></Assertion>'
const ENVELOPE =
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:be:fgov:ehealth:addressbook:protocol:v1">\n' +
  '  <soapenv:Header/>\n' +
  '  <soapenv:Body>\n    <urn:SearchProfessionalsRequest Offset="0" MaxElements="10">\n' +
  '      <urn:SSIN>79021802145</urn:SSIN>\n    </urn:SearchProfessionalsRequest>\n  </soapenv:Body>\n</soapenv:Envelope>\n'

function golden(profile: WsSecurityProfile, algorithm: 'rsa-sha256' | 'rsa-sha1'): string {
  const ids: Record<string, string> = { TS: 'TS-0001', id: 'id-0002', X509: 'X509-0003', SIG: 'SIG-0004' }
  const p = prepareWsSecurity(ENVELOPE, { profile, now: NOW, algorithm, newId: (k) => ids[k]! })
  return p.finish(SIGNATURE_VALUE)
}

describe('WS-Security golden files', () => {
  it('SAML holder-of-key, rsa-sha256', async () => {
    await expect(golden({ kind: 'saml-hok', assertionXml: ASSERTION, assertionId: '_42e7a00652420d86ee884f295a3fbf02' }, 'rsa-sha256')).toMatchFileSnapshot(
      './golden/saml-hok-rsa-sha256.xml',
    )
  })
  it('SAML holder-of-key, rsa-sha1', async () => {
    await expect(golden({ kind: 'saml-hok', assertionXml: ASSERTION, assertionId: '_42e7a00652420d86ee884f295a3fbf02' }, 'rsa-sha1')).toMatchFileSnapshot(
      './golden/saml-hok-rsa-sha1.xml',
    )
  })
  it('X.509, rsa-sha256', async () => {
    await expect(golden({ kind: 'x509', certificateBase64: CERT }, 'rsa-sha256')).toMatchFileSnapshot('./golden/x509-rsa-sha256.xml')
  })
})
