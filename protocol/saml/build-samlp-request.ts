/**
 * The SAML-P `samlp:Request` (an AttributeQuery for a holder-of-key token) that the legacy STS
 * takes in the SOAP Body, built from the technical connector's template
 * `legacy/issue.samlv11.hok.template.xml` (TC 4.0.2) and signed, enveloped, by the HOK key.
 *
 * @module
 */
import { canonicalize, parseXml, prepareSignature, type HashName, type SignatureAlgorithm } from '../xml/index.js'
import { SAML_NAMESPACES, SAML_URIS } from './names.js'
import type { AttributeDesignator, SamlAttribute } from './types.js'
import { cannotBuild, writeAttr, writeBase64, writeDateTime, writeId, writeText } from './write-xml.js'

/** Input of {@link prepareSamlpRequest}. */
export interface SamlpRequestInput {
  /** `request-<uuid>` (TC uses one UUID for the request and the inner assertion). */
  requestId: string
  /** `assertion-<uuid>`, the id of the assertion inside SubjectConfirmationData. */
  assertionId: string
  /** IssueInstant of the request and of the inner assertion; TC writes NotBefore there. */
  issueInstant: Date
  notBefore: Date
  /** notBefore + the requested validity (TC default 24 h, `sessionmanager.validity.token`). */
  notOnOrAfter: Date
  /**
   * Subject DN and issuer DN of the identification certificate, RFC 1779 (TC
   * `AbstractSTSService.generateNameIdentifier`); `format` defaults to X509SubjectName.
   */
  nameIdentifier: { value: string; nameQualifier: string; format?: string }
  /** The inner assertion's Issuer; default `nameIdentifier.value`, as TC, EC and EG's SSO client do. */
  issuer?: string
  /** Base64 DER of the HOK certificate: in SubjectConfirmation and in the signature's KeyInfo. */
  hokCertificateBase64: string
  /** Provided attributes (identification claims), written into the inner AttributeStatement. */
  attributes: readonly SamlAttribute[]
  /** Requested claims, written after saml:Subject. */
  designators: readonly AttributeDesignator[]
  /** Default `rsa-sha1` with sha1 digests: hard-coded by TC 4.0.2, EC and EG. */
  algorithm?: SignatureAlgorithm
}

/** The request minus its signature value; see {@link prepareSamlpRequest}. */
export interface PreparedSamlpRequest {
  /** Canonical SignedInfo, UTF-8: the bytes the HOK key signs (RSA PKCS#1 v1.5 with `hash`). */
  signedInfo: Uint8Array
  hash: HashName
  algorithm: SignatureAlgorithm
  /** The signed samlp:Request text, given the raw signature value. */
  finish(signatureValue: Uint8Array): string
}

/**
 * Prepare a signed samlp:Request: the TC template's structure and namespace declarations
 * (including the template's `xmlns=""` and unused `xmlns:ns4` on the inner assertion, which
 * change nothing canonical), the provided attributes appended to the inner assertion's
 * AttributeStatement, the designators after saml:Subject (SAML 1.1 protocol schema order), and an
 * enveloped ds:Signature inserted as the first child of samlp:Request: one Reference
 * `#<RequestID>`, enveloped-signature then exc-c14n, KeyInfo = the HOK certificate.
 *
 * @example
 * ```ts
 * const p = prepareSamlpRequest({ requestId: `request-${uuid}`, assertionId: `assertion-${uuid}`,
 *   issueInstant: now, notBefore: now, notOnOrAfter: inADay, nameIdentifier, hokCertificateBase64,
 *   attributes, designators })
 * const body = p.finish(await hokKey.sign(p.hash, p.signedInfo))
 * ```
 */
export function prepareSamlpRequest(input: SamlpRequestInput): PreparedSamlpRequest {
  const requestId = writeId(input.requestId, 'requestId')
  const assertionId = writeId(input.assertionId, 'assertionId')
  if (requestId === assertionId) throw cannotBuild('requestId and assertionId must differ')
  const issueInstant = writeDateTime(input.issueInstant, 'issueInstant')
  const format = input.nameIdentifier.format ?? SAML_URIS.x509SubjectName
  const nameIdentifier =
    `<saml:NameIdentifier Format="${writeAttr(format, 'nameIdentifier.format')}" NameQualifier="${writeAttr(input.nameIdentifier.nameQualifier, 'nameIdentifier.nameQualifier')}">` +
    `${writeText(input.nameIdentifier.value, 'nameIdentifier.value')}</saml:NameIdentifier>`
  const hok = writeBase64(input.hokCertificateBase64, 'hokCertificateBase64')

  const startTag =
    `<samlp:Request xmlns:samlp="${SAML_NAMESPACES.protocol}" xmlns:ds="${SAML_NAMESPACES.dsig}" xmlns:saml="${SAML_NAMESPACES.assertion}"` +
    ` IssueInstant="${issueInstant}" MajorVersion="1" MinorVersion="1" RequestID="${requestId}">`
  const lines: string[] = [
    startTag,
    `  <samlp:AttributeQuery>`,
    `    <saml:Subject>`,
    `      ${nameIdentifier}`,
    `      <saml:SubjectConfirmation>`,
    `        <saml:ConfirmationMethod>${SAML_URIS.holderOfKey}</saml:ConfirmationMethod>`,
    `        <saml:SubjectConfirmationData>`,
    // xmlns="" and xmlns:ns4 are verbatim from the TC template, which the real
    // STS accepts; exc-c14n drops both (neither is visibly used), so the digest is unaffected.
    `          <saml:Assertion xmlns="" xmlns:ns4="${SAML_NAMESPACES.protocol}" AssertionID="${assertionId}" IssueInstant="${issueInstant}"` +
      ` Issuer="${writeAttr(input.issuer ?? input.nameIdentifier.value, 'issuer')}" MajorVersion="1" MinorVersion="1">`,
    `            <saml:Conditions NotBefore="${writeDateTime(input.notBefore, 'notBefore')}" NotOnOrAfter="${writeDateTime(input.notOnOrAfter, 'notOnOrAfter')}"/>`,
    `            <saml:AttributeStatement>`,
    `              <saml:Subject>`,
    `                ${nameIdentifier}`,
    `              </saml:Subject>`,
  ]
  for (const a of input.attributes) {
    if (a.values.length === 0) throw cannotBuild(`attribute ${a.name.slice(0, 120)} has no value`)
    lines.push(`              <saml:Attribute AttributeName="${writeAttr(a.name, 'attribute name')}" AttributeNamespace="${writeAttr(a.namespace, 'attribute namespace')}">`)
    for (const v of a.values) lines.push(`                <saml:AttributeValue>${writeText(v, `value of ${a.name}`)}</saml:AttributeValue>`)
    lines.push(`              </saml:Attribute>`)
  }
  lines.push(
    `            </saml:AttributeStatement>`,
    `          </saml:Assertion>`,
    `        </saml:SubjectConfirmationData>`,
    `        <ds:KeyInfo>`,
    `          <ds:X509Data>`,
    `            <ds:X509Certificate>${hok}</ds:X509Certificate>`,
    `          </ds:X509Data>`,
    `        </ds:KeyInfo>`,
    `      </saml:SubjectConfirmation>`,
    `    </saml:Subject>`,
  )
  for (const d of input.designators) {
    lines.push(`    <saml:AttributeDesignator AttributeName="${writeAttr(d.name, 'designator name')}" AttributeNamespace="${writeAttr(d.namespace, 'designator namespace')}"/>`)
  }
  lines.push(`  </samlp:AttributeQuery>`, `</samlp:Request>`)
  const unsigned = lines.join('\n')

  // Unlike the assertion, the template is not in canonical form (namespaces declared on the root,
  // self-closing tags), so the digest input is computed from the parsed text.
  const prepared = prepareSignature({
    references: [{ id: requestId, canonical: canonicalize(parseXml(unsigned).root), enveloped: true }],
    algorithm: input.algorithm ?? 'rsa-sha1',
  })
  const keyInfo = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${hok}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`
  return {
    signedInfo: prepared.signedInfo,
    hash: prepared.hash,
    algorithm: prepared.algorithm,
    finish(signatureValue) {
      // First child of samlp:Request (TC `STSServiceImpl`), right after the start tag: no
      // whitespace is added, so the document minus the signature is exactly the text digested
      // above.
      return startTag + prepared.finish(signatureValue, keyInfo) + unsigned.slice(startTag.length)
    },
  }
}
