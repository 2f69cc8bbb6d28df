/**
 * Minting a SAML 1.1 holder-of-key assertion shaped as the eHealth STS issues it (EG `Verify()`, EC
 * `AssertionVerifier`), for the sandbox STS and the tests. Split like every signature in this
 * project: prepare (the SignedInfo bytes to sign) and finish (the signed assertion text), so the
 * RSA step can be a PKCS#11 call or an async `crypto.sign`.
 *
 * @module
 */
import { canonicalize, parseXml, prepareSignature, type HashName, type SignatureAlgorithm } from '../xml/index.js'
import { SAML_NAMESPACES, SAML_URIS } from './names.js'
import type { NameIdentifier, SamlAttribute } from './types.js'
import { cannotBuild, writeAttr, writeBase64, writeDateTime, writeId, writeText } from './write-xml.js'

/** Input of {@link prepareAssertion}. */
export interface AssertionInput {
  /** `_` + 32 hex in OpenSAML style (as in EC's test tokens); any NCName. */
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
  /** Default `rsa-sha256`. */
  algorithm?: SignatureAlgorithm
  /**
   * How the text is laid out, not what it says. `canonical` (default): exc-c14n form, so the text
   * minus the signature is what is digested. `as-issued`: as eHealth's tokens come (a real
   * acceptance token, taktik/freehealth-connector `compiled/RECIPE.1.9.1/examples/command-line/session.xml`):
   * both certificates' base64 in 76-character lines (MIME style, as Apache Santuario writes it),
   * the empty Conditions self-closed, and an `xmlns:SOAP-ENV` declaration on the root, left there
   * by the STS's answer envelope. The signature covers the same canonical form either way.
   */
  layout?: 'canonical' | 'as-issued'
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
 * With the default layout the text is written directly in exc-c14n form (attributes in canonical
 * order, start/end tag pairs, C14N escapes, no whitespace between elements), so the text without
 * the signature *is* the digested canonical form: no re-parse is needed, and what the STS digests
 * is byte for byte what a verifier recomputes. The `as-issued` layout is parsed once to digest it.
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
  const asIssued = input.layout === 'as-issued'
  const lines = (base64: string) => (asIssued ? base64.replace(/(.{76})(?=.)/g, '$1\n') : base64)
  const hok = lines(writeBase64(input.hokCertificateBase64, 'hokCertificateBase64'))
  const conditions = `<Conditions NotBefore="${writeDateTime(input.notBefore, 'notBefore')}" NotOnOrAfter="${writeDateTime(input.notOnOrAfter, 'notOnOrAfter')}"`

  const parts: string[] = [
    `<Assertion xmlns="${SAML_NAMESPACES.assertion}"${asIssued ? ` xmlns:SOAP-ENV="${SOAP11_ENVELOPE}"` : ''} AssertionID="${assertionId}" IssueInstant="${issueInstant}"` +
      ` Issuer="${writeAttr(input.issuer, 'issuer')}" MajorVersion="1" MinorVersion="1">`,
    asIssued ? `${conditions}/>` : `${conditions}></Conditions>`,
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
    // As issued, the text is not canonical (a self-closed element, an unused declaration): what is
    // digested is its exc-c14n, computed from the parsed text.
    references: [{ id: assertionId, canonical: asIssued ? canonicalize(parseXml(unsigned).root) : unsigned, enveloped: true }],
    algorithm: input.algorithm ?? 'rsa-sha256',
  })
  return {
    signedInfo: prepared.signedInfo,
    hash: prepared.hash,
    algorithm: prepared.algorithm,
    finish(signatureValue, signerCertificateBase64) {
      const cert = lines(writeBase64(signerCertificateBase64, 'signerCertificateBase64'))
      const keyInfo = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`
      // Enveloped and last (SAML 1.1 schema order; EC `AssertionVerifier`): the enveloped-signature
      // transform removes exactly this element, so the rest must stay the canonical text digested
      // above.
      return parts.join('') + prepared.finish(signatureValue, keyInfo) + '</Assertion>'
    },
  }
}

const SOAP11_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/'

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
