/**
 * Minting a SAML 1.1 holder-of-key assertion shaped as the eHealth STS issues it (reference §4),
 * for the sandbox STS and the tests. Split like every signature in this project: prepare (the
 * SignedInfo bytes to sign) and finish (the signed assertion text), so the RSA step can be a
 * PKCS#11 call or an async `crypto.sign`.
 *
 * @module
 */
import { prepareSignature, type HashName, type SignatureAlgorithm } from '../xml/index.js'
import { SAML_NAMESPACES, SAML_URIS } from './names.js'
import type { NameIdentifier, SamlAttribute } from './types.js'
import { cannotBuild, writeAttr, writeBase64, writeDateTime, writeId, writeText } from './write-xml.js'

/** Input of {@link prepareAssertion}. */
export interface AssertionInput {
  /** `_` + 32 hex in OpenSAML style (reference §4); any NCName. */
  assertionId: string
  /** The STS name, e.g. `urn:be:fgov:ehealth:sts:1_0`. */
  issuer: string
  issueInstant: Date
  notBefore: Date
  notOnOrAfter: Date
  /** `format` defaults to X509SubjectName. */
  nameIdentifier: { format?: string; nameQualifier: string; value: string }
  /** Base64 DER of the HOK certificate the token binds (from the request). */
  hokCertificateBase64: string
  attributes: readonly SamlAttribute[]
  /** Default X509-PKI. */
  authenticationMethod?: string
  /** Default `issueInstant`. */
  authenticationInstant?: Date
  /** Default `rsa-sha256` (reference §4). */
  algorithm?: SignatureAlgorithm
}

/** The assertion minus its signature value; see {@link prepareAssertion}. */
export interface PreparedAssertion {
  /** Canonical SignedInfo, UTF-8: the bytes the STS key signs (RSA PKCS#1 v1.5 with `hash`). */
  signedInfo: Uint8Array
  hash: HashName
  algorithm: SignatureAlgorithm
  /** The signed assertion text, given the raw signature value and the STS certificate (base64 DER). */
  finish(signatureValue: Uint8Array, signerCertificateBase64: string): string
}

/**
 * Prepare a signed assertion: default namespace SAML assertion with no prefix; Conditions,
 * AuthenticationStatement (Subject with NameIdentifier and holder-of-key SubjectConfirmation
 * carrying the HOK certificate), AttributeStatement (Subject, Attribute*), then the enveloped
 * ds:Signature last, referencing `#<AssertionID>` with enveloped + exc-c14n transforms and the
 * STS certificate in ds:KeyInfo.
 *
 * The text is written directly in exc-c14n form (attributes in canonical order, start/end tag
 * pairs, C14N escapes, no whitespace between elements), so the text without the signature *is*
 * the digested canonical form: no re-parse is needed, and what the STS digests is byte for byte
 * what a verifier recomputes.
 *
 * @example
 * ```ts
 * const p = prepareAssertion({ assertionId: '_42e7…', issuer: EHEALTH_STS_ISSUER, issueInstant: now,
 *   notBefore: now, notOnOrAfter: later, nameIdentifier, hokCertificateBase64, attributes })
 * const xml = p.finish(crypto.sign(p.hash, p.signedInfo, stsKey), stsCertBase64)
 * ```
 */
export function prepareAssertion(input: AssertionInput): PreparedAssertion {
  const assertionId = writeId(input.assertionId, 'assertionId')
  const issueInstant = writeDateTime(input.issueInstant, 'issueInstant')
  const nameId = writeNameIdentifier({ ...input.nameIdentifier, format: input.nameIdentifier.format ?? SAML_URIS.x509SubjectName })
  const hok = writeBase64(input.hokCertificateBase64, 'hokCertificateBase64')

  const parts: string[] = [
    `<Assertion xmlns="${SAML_NAMESPACES.assertion}" AssertionID="${assertionId}" IssueInstant="${issueInstant}"` +
      ` Issuer="${writeAttr(input.issuer, 'issuer')}" MajorVersion="1" MinorVersion="1">`,
    `<Conditions NotBefore="${writeDateTime(input.notBefore, 'notBefore')}" NotOnOrAfter="${writeDateTime(input.notOnOrAfter, 'notOnOrAfter')}"></Conditions>`,
    `<AuthenticationStatement AuthenticationInstant="${writeDateTime(input.authenticationInstant ?? input.issueInstant, 'authenticationInstant')}"` +
      ` AuthenticationMethod="${writeAttr(input.authenticationMethod ?? SAML_URIS.x509Pki, 'authenticationMethod')}">`,
    `<Subject>${nameId}<SubjectConfirmation><ConfirmationMethod>${SAML_URIS.holderOfKey}</ConfirmationMethod>`,
    `<ds:KeyInfo xmlns:ds="${SAML_NAMESPACES.dsig}"><ds:X509Data><ds:X509Certificate>${hok}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    `</SubjectConfirmation></Subject></AuthenticationStatement>`,
    `<AttributeStatement><Subject>${nameId}</Subject>`,
  ]
  for (const attribute of input.attributes) parts.push(writeAttribute(attribute))
  parts.push('</AttributeStatement>')
  const unsigned = parts.join('') + '</Assertion>'

  const prepared = prepareSignature({
    references: [{ id: assertionId, canonical: unsigned, enveloped: true }],
    algorithm: input.algorithm ?? 'rsa-sha256',
  })
  return {
    signedInfo: prepared.signedInfo,
    hash: prepared.hash,
    algorithm: prepared.algorithm,
    finish(signatureValue, signerCertificateBase64) {
      const cert = writeBase64(signerCertificateBase64, 'signerCertificateBase64')
      const keyInfo = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`
      // Enveloped and last (reference §4): the enveloped-signature transform removes exactly this
      // element, so the rest must stay the canonical text digested above.
      return parts.join('') + prepared.finish(signatureValue, keyInfo) + '</Assertion>'
    },
  }
}

function writeNameIdentifier(n: NameIdentifier): string {
  const format = n.format === '' ? '' : ` Format="${writeAttr(n.format, 'nameIdentifier.format')}"`
  const qualifier = n.nameQualifier === '' ? '' : ` NameQualifier="${writeAttr(n.nameQualifier, 'nameIdentifier.nameQualifier')}"`
  return `<NameIdentifier${format}${qualifier}>${writeText(n.value, 'nameIdentifier.value')}</NameIdentifier>`
}

function writeAttribute(a: SamlAttribute): string {
  // SAML 1.1 assertion schema: an Attribute has one or more AttributeValue.
  if (a.values.length === 0) throw cannotBuild(`attribute ${a.name.slice(0, 120)} has no value`)
  const values = a.values.map((v) => `<AttributeValue>${writeText(v, `value of ${a.name}`)}</AttributeValue>`).join('')
  return `<Attribute AttributeName="${writeAttr(a.name, 'attribute name')}" AttributeNamespace="${writeAttr(a.namespace, 'attribute namespace')}">${values}</Attribute>`
}
