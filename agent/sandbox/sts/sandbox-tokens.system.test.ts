import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { samlsignVerify } from '../../../test/helpers/saml-fixtures.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { SAML_ASSERTION_ID_ATTR, xmlsecVerify } from '../../../test/helpers/xmlsec.js'
import { parseFaultSpec } from '../parse-fault-spec.js'
import type { SandboxPki } from '../pki/types.js'
import { SandboxState } from '../sandbox-state.js'
import { issueAssertion } from './issue-assertion.js'
import { subjectOfCertificate } from './subject-of-certificate.js'

// The sandbox's tokens, laid out as eHealth's are (wrapped base64, an extra namespace
// declaration, a self-closed Conditions), are checked by libxmlsec1 and OpenSAML, as the real
// acceptance token is.
let pki: SandboxPki
beforeAll(async () => {
  pki = await sharedSandboxPki()
}, 120_000)

function mint(state: SandboxState): string {
  const doctor = pki.keystores.doctor
  const outcome = issueAssertion(state, { requester: subjectOfCertificate(doctor.certificate), hokCertificateBase64: doctor.certificateBase64, provided: [], requested: [] })
  if (outcome.kind !== 'issued') throw new Error(outcome.message)
  return outcome.assertionXml
}

describe('sandbox tokens, checked by implementations we did not write', () => {
  it('rsa-sha256 and rsa-sha1: xmlsec1 and samlsign verify them, and refuse them once the wrapped base64 is normalised', () => {
    const state = new SandboxState(pki, () => new Date())
    const tokens = [mint(state)]
    parseFaultSpec('sha1-assertions', state.faults)
    tokens.push(mint(state))
    for (const xml of tokens) {
      expect(xmlsecVerify(xml, pki.sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(true)
      expect(samlsignVerify(xml, pki.sts.certificatePem).ok).toBe(true)
      const normalised = xml.replace(/<ds:X509Certificate>([\s\S]*?)<\/ds:X509Certificate>/, (_m, b64: string) => `<ds:X509Certificate>${b64.replace(/\s+/g, '')}</ds:X509Certificate>`)
      expect(xmlsecVerify(normalised, pki.sts.certificatePem, [SAML_ASSERTION_ID_ATTR]).ok).toBe(false)
    }
  })

  it('the real acceptance token verifies with xmlsec1 against the bundled QuoVadis CAs at its IssueInstant', () => {
    const real = readFileSync(new URL('../../../test/fixtures/real-ehealth/acc-sts-saml11-assertion_2020-10-27_recipe-1.9.1-session.xml', import.meta.url), 'utf8')
    const bundle = new URL('../../trust/ca-bundles/acc/', import.meta.url).pathname
    const signer = readFileSync(new URL('../../../test/fixtures/real-ehealth/sts/iamacc_quovadis_2018-04-10_2021-04-10.pem', import.meta.url), 'utf8')
    const res = xmlsecVerify(real, signer, [SAML_ASSERTION_ID_ATTR])
    expect(res.ok, res.output).toBe(true)
    // With the chain instead: no key given, the signer from KeyInfo, the bundled CAs as trust.
    const dir = mkdtempSync(join(tmpdir(), 'real-token-'))
    try {
      writeFileSync(join(dir, 'token.xml'), real)
      const chained = spawnSync('xmlsec1', ['--verify', '--id-attr:AssertionID', 'urn:oasis:names:tc:SAML:1.0:assertion:Assertion', '--trusted-pem', `${bundle}quovadis-trust-anchor-root-ca-g2.pem`, '--untrusted-pem', `${bundle}quovadis-trust-anchor-issuing-ca-g2.pem`, '--verification-time', '2020-10-27 13:00:00', join(dir, 'token.xml')], { encoding: 'utf8' })
      expect(chained.status, chained.stderr).toBe(0)
      // Without the issuing CA there is no chain.
      const broken = spawnSync('xmlsec1', ['--verify', '--id-attr:AssertionID', 'urn:oasis:names:tc:SAML:1.0:assertion:Assertion', '--trusted-pem', `${bundle}quovadis-trust-anchor-root-ca-g2.pem`, '--verification-time', '2020-10-27 13:00:00', join(dir, 'token.xml')], { encoding: 'utf8' })
      expect(broken.status).not.toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
