import { sign } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { prepareAssertion, type AssertionInput } from '../../protocol/saml/build-assertion.js'
import { SAML_NAMESPACES } from '../../protocol/saml/names.js'
import { canonicalize, childElement, parseXml, prepareSignature } from '../../protocol/xml/index.js'
import { requireTool } from './xmlsec.js'
import type { TestIdentity } from './test-pki.js'

/**
 * A fixed, realistic token content (laid out as the eHealth STS issues it; see protocol/README.md,
 * "SAML 1.1 assertion"), anchored at `now`.
 */
export function assertionInput(now: Date, hokCertificateBase64: string, overrides: Partial<AssertionInput> = {}): AssertionInput {
  return {
    assertionId: '_42e7a00652420d86ee884f295a3fbf02',
    issuer: 'urn:be:fgov:ehealth:sts:1_0',
    issueInstant: now,
    notBefore: now,
    notOnOrAfter: new Date(now.getTime() + 24 * 3600_000),
    nameIdentifier: {
      nameQualifier: 'CN=ZetesConfidens Private Trust PKI - eHealth issuing CA 001, SERIALNUMBER=001, O=ZETES SA, C=BE',
      value: 'CN="SSIN=79021802145", OU=eHealth-platform Belgium, OU=John Doe, OU="SSIN=79021802145", O=Federal Government, C=BE',
    },
    hokCertificateBase64,
    attributes: [
      { name: 'urn:be:fgov:ehealth:1.0:certificateholder:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: ['79021802145'] },
      { name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: ['79021802145'] },
      { name: 'urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11', namespace: 'urn:be:fgov:certified-namespace:ehealth', values: ['51234567890'] },
      { name: 'urn:be:fgov:person:ssin:ehealth:1.0:professional:physiotherapist:boolean', namespace: 'urn:be:fgov:certified-namespace:ehealth', values: ['true'] },
    ],
    ...overrides,
  }
}

/** Mint a signed assertion with the sandbox's builder and node:crypto. */
export function mintAssertion(sts: TestIdentity, input: AssertionInput): string {
  const p = prepareAssertion(input)
  return p.finish(sign(p.hash, p.signedInfo, sts.privateKey), sts.certificateBase64)
}

/**
 * Verify a signed SAML 1.x object with `samlsign` (OpenSAML 3, opensaml-tools): it unmarshals
 * the document as SAML objects, applies the SAML signature profile (one Reference to the root's
 * id, enveloped + exc-c14n) and checks the signature against `certificatePem`.
 * samlsign resolves relative paths against /etc/opensaml, hence the absolute temp paths.
 */
export function samlsignVerify(xml: string, certificatePem: string): { ok: boolean; output: string } {
  requireTool('samlsign', 'opensaml-tools')
  const dir = mkdtempSync(join(tmpdir(), 'samlsign-'))
  try {
    const doc = join(dir, 'signed.xml')
    const cert = join(dir, 'cert.pem')
    writeFileSync(doc, xml)
    writeFileSync(cert, certificatePem)
    const res = spawnSync('samlsign', ['-c', cert, '-f', doc], { encoding: 'utf8' })
    return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A successful samlp:Response whose assertion (`token`, re-signed by `sts`) uses the `saml` prefix
 * declared on samlp:Response only, as an STS that declares it there would send it: the assertion
 * is not self-contained until the parser carries the declaration over.
 */
export function responseWithOuterSamlPrefix(sts: TestIdentity, token: string, inResponseTo: string): string {
  const names = 'Assertion|Conditions|AuthenticationStatement|Subject|NameIdentifier|SubjectConfirmation|ConfirmationMethod|AttributeStatement|Attribute|AttributeValue'
  const prefixed = token
    .replace(/<ds:Signature .*<\/ds:Signature>/, '')
    .replace(` xmlns="${SAML_NAMESPACES.assertion}"`, '')
    .replace(new RegExp(`<(/?)(${names})([ >])`, 'g'), '<$1saml:$2$3')
  const unsignedResponse =
    `<samlp:Response xmlns:samlp="${SAML_NAMESPACES.protocol}" xmlns:saml="${SAML_NAMESPACES.assertion}" InResponseTo="${inResponseTo}" IssueInstant="2025-01-10T09:00:01Z" MajorVersion="1" MinorVersion="1" ResponseID="_r1">` +
    `<samlp:Status><samlp:StatusCode Value="samlp:Success"/></samlp:Status>${prefixed}</samlp:Response>`
  const assertionEl = childElement(parseXml(unsignedResponse).root, SAML_NAMESPACES.assertion, 'Assertion')!
  const id = assertionEl.getAttribute('AssertionID')!
  const p = prepareSignature({ references: [{ id, canonical: canonicalize(assertionEl), enveloped: true }] })
  const signature = p.finish(sign(p.hash, p.signedInfo, sts.privateKey), `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${sts.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`)
  return unsignedResponse.replace('</saml:Assertion>', `${signature}</saml:Assertion>`)
}
