import { beforeAll, describe, expect, it } from 'vitest'
import { X509Certificate } from 'node:crypto'
import { SANDBOX_STS_SIGNER_OU } from '../../../protocol/environments.js'
import { AgentError } from '../../../protocol/errors.js'
import { formatJavaDn } from '../../../protocol/pki/format-java-dn.js'
import { readCertificate } from '../../../protocol/pki/read-certificate.js'
import { checkAssertion } from '../../../protocol/saml/check-assertion.js'
import { checkStsSigner } from '../../../protocol/saml/check-sts-signer.js'
import { EHEALTH_STS_ISSUER } from '../../../protocol/saml/names.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { parseFaultSpec } from '../parse-fault-spec.js'
import type { SandboxPki } from '../pki/types.js'
import { SandboxState } from '../sandbox-state.js'
import { checkStsAssertion } from '../verify/check-sts-assertion.js'
import { issueAssertion } from './issue-assertion.js'
import { subjectOfCertificate } from './subject-of-certificate.js'

// The sandbox STS mints tokens the way eHealth's does (a real acceptance token is the model:
// test/fixtures/real-ehealth), and its signer can rotate as the real one does.
let pki: SandboxPki
beforeAll(async () => {
  pki = await sharedSandboxPki()
}, 120_000)

function mint(state: SandboxState, requestedNotOnOrAfter?: Date): string {
  const doctor = pki.keystores.doctor
  const outcome = issueAssertion(state, {
    requester: subjectOfCertificate(doctor.certificate),
    hokCertificateBase64: doctor.certificateBase64,
    provided: [{ name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: [doctor.ssin!] }],
    requested: [],
    ...(requestedNotOnOrAfter ? { latestNotOnOrAfter: requestedNotOnOrAfter } : {}),
  })
  if (outcome.kind !== 'issued') throw new Error(outcome.message)
  return outcome.assertionXml
}

/** What the agent checks: the sandbox CA and the STS's name, no pinned certificate. */
const agentCheck = (xml: string, now = new Date()) =>
  checkAssertion(xml, { signerChain: { cas: [pki.ehealthCa.certificate], signerOu: SANDBOX_STS_SIGNER_OU }, now, expectedHokCertificateBase64: pki.keystores.doctor.certificateBase64, expectedIssuers: [EHEALTH_STS_ISSUER] })

const signerOf = (xml: string) => {
  const b64 = /<ds:Signature[\s\S]*<ds:X509Certificate>([\s\S]*?)<\/ds:X509Certificate>/.exec(xml)![1]!
  return new X509Certificate(Buffer.from(b64.replace(/\s+/g, ''), 'base64'))
}

describe('sandbox tokens look like eHealth\'s', () => {
  it('layout: certificate base64 in 76-character lines, xmlns:SOAP-ENV on the root, AssertionID _ and 32 hex digits, the STS Issuer', () => {
    const state = new SandboxState(pki, () => new Date())
    const xml = mint(state)
    expect(xml).toMatch(/^<Assertion xmlns="urn:oasis:names:tc:SAML:1\.0:assertion" xmlns:SOAP-ENV="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/" AssertionID="_[0-9a-f]{32}" IssueInstant="[^"]+" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">/)
    const certificates = [...xml.matchAll(/<ds:X509Certificate>([\s\S]*?)<\/ds:X509Certificate>/g)].map((m) => m[1]!)
    expect(certificates).toHaveLength(2) // the HOK certificate and the signer
    for (const b64 of certificates) {
      const lines = b64.split('\n')
      expect(lines.length).toBeGreaterThan(10)
      for (const line of lines.slice(0, -1)) expect(line).toHaveLength(76)
      expect(lines.at(-1)!.length).toBeLessThanOrEqual(76)
    }
    expect(xml).toContain('<Conditions NotBefore=')
    expect(xml).toMatch(/<Conditions [^>]*\/>/)
  })

  it('times: NotBefore 5 minutes before IssueInstant; the STS chooses the lifetime, whatever was asked', () => {
    const state = new SandboxState(pki, () => new Date())
    const token = agentCheck(mint(state))
    expect(token.issueInstant.getTime() - token.conditions.notBefore.getTime()).toBe(5 * 60_000)
    expect(token.conditions.notOnOrAfter.getTime() - token.issueInstant.getTime()).toBe(24 * 3600_000)
  })

  it('names: NameIdentifier and NameQualifier derived from the certificate, in Java toString form', () => {
    const token = agentCheck(mint(new SandboxState(pki, () => new Date())))
    const { subject } = readCertificate(pki.keystores.doctor.certificate.raw)
    expect(token.nameIdentifier.value).toBe(formatJavaDn(subject, 'toString'))
    expect(token.nameIdentifier.nameQualifier).toBe('CN=TEST eHealth sandbox issuing CA, SERIALNUMBER=001, O=ehealth-agent sandbox, C=BE')
    expect(token.nameIdentifier.value).toMatch(/^CN="SSIN=\d{11}", OU=eHealth-platform Belgium, OU=[^,]+, OU="SSIN=\d{11}", O=Federal Government, C=BE$/)
  })

  it('signer: named exactly as the real STS signers, under the sandbox CA; rsa-sha256, or rsa-sha1 on request', () => {
    const state = new SandboxState(pki, () => new Date())
    const xml = mint(state)
    const signer = signerOf(xml)
    expect(formatJavaDn(readCertificate(signer.raw).subject, 'rfc1779')).toBe(
      `CN="CBE=0809394427, ${SANDBOX_STS_SIGNER_OU}", OU=eHealth-platform Belgium, OU=EHEALTH-PLATFORM, OU="CBE=0809394427", OU=${SANDBOX_STS_SIGNER_OU}, O=Federal Government, C=BE`,
    )
    expect(checkStsSigner(signer, { cas: [pki.ehealthCa.certificate], signerOu: SANDBOX_STS_SIGNER_OU }, new Date())).toEqual({ trusted: true })
    expect(xml).toContain('xmldsig-more#rsa-sha256')
    parseFaultSpec('sha1-assertions', state.faults)
    const sha1 = mint(state)
    expect(sha1).toContain('xmldsig#rsa-sha1')
    expect(sha1).toContain('xmldsig#sha1')
    // Checked by xml-crypto (the sandbox's verifier) and by the agent.
    expect(checkStsAssertion(sha1, { stsCertificates: state.stsSigning.trustedCertificates(), now: new Date() }).assertionId).toMatch(/^_/)
    expect(agentCheck(sha1).assertionId).toMatch(/^_/)
  })
})

describe('the sandbox STS signer rotates', () => {
  it('same CA: a new key and certificate, the same name; the agent and the sandbox services accept it', () => {
    const state = new SandboxState(pki, () => new Date())
    const before = signerOf(mint(state))
    const rotated = state.stsSigning.rotate('same-ca')
    const xml = mint(state)
    expect(signerOf(xml).raw.equals(rotated.certificate.raw)).toBe(true)
    expect(rotated.certificate.raw.equals(before.raw)).toBe(false)
    expect(rotated.certificate.subject).toBe(before.subject)
    expect(agentCheck(xml).assertionId).toMatch(/^_/)
    expect(checkStsAssertion(xml, { stsCertificates: state.stsSigning.trustedCertificates(), now: new Date() }).assertionId).toMatch(/^_/)
  })

  it('look-alike: the same name from another CA (itself named like the sandbox CA); both refuse it, the agent naming it', () => {
    const state = new SandboxState(pki, () => new Date())
    const lookAlike = state.stsSigning.rotate('look-alike')
    expect(lookAlike.certificate.subject).toBe(pki.sts.certificate.subject)
    expect(lookAlike.certificate.issuer).toBe(pki.ehealthCa.certificate.subject)
    const xml = mint(state)
    let refused: AgentError | undefined
    try {
      agentCheck(xml)
    } catch (err) {
      refused = err as AgentError
    }
    expect(refused?.code).toBe('ERR_TOKEN_UNTRUSTED')
    expect(refused?.data.certificate).toMatchObject({ sha256: lookAlike.certificate.fingerprint256, subject: expect.stringContaining(SANDBOX_STS_SIGNER_OU) })
    expect(() => checkStsAssertion(xml, { stsCertificates: state.stsSigning.trustedCertificates(), now: new Date() })).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_UNTRUSTED' }))
  })

  it('--fault rotate-sts=same-ca@2: the first two tokens by the signer, the next by a rotated one', () => {
    const state = new SandboxState(pki, () => new Date())
    parseFaultSpec('rotate-sts=same-ca@2', state.faults)
    const signers = [mint(state), mint(state), mint(state), mint(state)].map((x) => signerOf(x).fingerprint256)
    expect(signers[0]).toBe(pki.sts.sha256)
    expect(signers[1]).toBe(pki.sts.sha256)
    expect(signers[2]).not.toBe(pki.sts.sha256)
    expect(signers[3]).toBe(signers[2])
  })

  it('the STS fault specs are checked', () => {
    const state = new SandboxState(pki, () => new Date())
    for (const bad of ['rotate-sts=sideways', 'rotate-sts=same-ca@x', 'sha1-assertions=yes', 'maintenance=0']) {
      expect(() => parseFaultSpec(bad, state.faults), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_PARAMS' }))
    }
    parseFaultSpec('/IAM/SecurityTokenService/v1:maintenance=2', state.faults)
    expect(state.faults.take('/IAM/SecurityTokenService/v1')).toMatchObject({ kind: 'http', status: 503, contentType: 'text/html; charset=utf-8', body: expect.stringContaining('maintenance') })
    expect(state.faults.take('/IAM/SecurityTokenService/v1')).toMatchObject({ status: 503 })
    expect(state.faults.take('/IAM/SecurityTokenService/v1')).toBeUndefined()
  })
})
