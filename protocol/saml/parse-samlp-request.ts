/**
 * Reading a SAML-P `samlp:Request` on the STS side (the sandbox): who asks, for which HOK
 * certificate, with which provided attributes and requested claims (TC
 * `legacy/issue.samlv11.hok.template.xml`).
 *
 * @module
 */
import { DSIG_NS, childElements, descendants, indexIds, parseXml } from '../xml/index.js'
import { SAML_NAMESPACES, SAML_URIS } from './names.js'
import {
  optionalChild,
  readDateTime,
  readKeyInfoCertificate,
  readNameIdentifier,
  requireAttr,
  requireChild,
  requireVersion11,
  samlInvalid,
} from './read-xml.js'
import type { AttributeDesignator, NameIdentifier, SamlAttribute } from './types.js'

const SAML = SAML_NAMESPACES.assertion
const SAMLP = SAML_NAMESPACES.protocol

/** A parsed samlp:Request. The signature is not checked here; see {@link checkSamlpRequestSignature}. */
export interface SamlpRequest {
  requestId: string
  issueInstant: Date
  nameIdentifier: NameIdentifier
  /** Base64 DER of the HOK certificate in SubjectConfirmation/ds:KeyInfo, whitespace removed. */
  hokCertificateBase64: string
  /** The assertion inside SubjectConfirmationData, when present (the TC template always has one). */
  innerAssertion: { assertionId: string; issuer: string; notBefore: Date | undefined; notOnOrAfter: Date | undefined } | undefined
  /**
   * Provided attributes: those of the first AttributeStatement in document order (TC
   * `STSServiceImpl.processAttributes`).
   */
  attributes: SamlAttribute[]
  /** Requested claims, in document order. */
  designators: AttributeDesignator[]
  /** The enveloped ds:Signature (a direct child of the request), if any. */
  signature: Element | undefined
  /** The samlp:Request element, which the signature must cover. */
  root: Element
  /** The document's ids (duplicates already refused), for verifySignature. */
  ids: Map<string, Element>
}

/**
 * Parse a samlp:Request carrying one AttributeQuery with a holder-of-key subject.
 *
 * @example
 * ```ts
 * const req = parseSamlpRequest(bodyChildText)
 * checkSamlpRequestSignature(req) // when the BST certificate is not the HOK certificate
 * req.designators.map((d) => d.name)
 * ```
 */
export function parseSamlpRequest(text: string): SamlpRequest {
  const { root } = parseXml(text, undefined, 1)
  if (root.namespaceURI !== SAMLP || root.localName !== 'Request') throw samlInvalid('the document root is not a samlp:Request')
  requireVersion11(root)
  const requestId = requireAttr(root, 'RequestID')
  const issueInstant = readDateTime(root, 'IssueInstant')
  const ids = indexIds(root)

  // SAML 1.1 protocol schema, RequestAbstractType: RespondWith*, ds:Signature?, then the query.
  const signatures = childElements(root, DSIG_NS, 'Signature')
  if (signatures.length > 1) throw samlInvalid('samlp:Request has more than one ds:Signature')
  for (const child of childElements(root)) {
    const known =
      (child.namespaceURI === DSIG_NS && child.localName === 'Signature') ||
      (child.namespaceURI === SAMLP && (child.localName === 'AttributeQuery' || child.localName === 'RespondWith'))
    if (!known) throw samlInvalid(`unexpected element ${child.nodeName} in samlp:Request`)
  }
  const query = requireChild(root, SAMLP, 'AttributeQuery')

  const subject = requireChild(query, SAML, 'Subject')
  const nameIdentifier = readNameIdentifier(requireChild(subject, SAML, 'NameIdentifier'))
  const confirmation = requireChild(subject, SAML, 'SubjectConfirmation')
  const methods = childElements(confirmation, SAML, 'ConfirmationMethod').map((m) => (m.textContent ?? '').trim())
  if (methods.length !== 1 || methods[0] !== SAML_URIS.holderOfKey) {
    throw samlInvalid('the request subject must be confirmed by holder-of-key only')
  }
  const hokCertificateBase64 = readKeyInfoCertificate(requireChild(confirmation, DSIG_NS, 'KeyInfo'))

  let innerAssertion: SamlpRequest['innerAssertion']
  let attributes: SamlAttribute[] = []
  const data = optionalChild(confirmation, SAML, 'SubjectConfirmationData')
  const inner = data ? optionalChild(data, SAML, 'Assertion') : undefined
  if (inner) {
    const conditions = optionalChild(inner, SAML, 'Conditions')
    innerAssertion = {
      assertionId: requireAttr(inner, 'AssertionID'),
      issuer: requireAttr(inner, 'Issuer'),
      notBefore: conditions?.hasAttribute('NotBefore') ? readDateTime(conditions, 'NotBefore') : undefined,
      notOnOrAfter: conditions?.hasAttribute('NotOnOrAfter') ? readDateTime(conditions, 'NotOnOrAfter') : undefined,
    }
    // TC appends provided attributes to the first AttributeStatement in document order.
    const statement = descendants(inner, SAML, 'AttributeStatement')[0]
    if (statement) attributes = childElements(statement, SAML, 'Attribute').map(readAttribute)
  }

  const designators = childElements(query, SAML, 'AttributeDesignator').map((d) => ({
    name: requireAttr(d, 'AttributeName'),
    namespace: requireAttr(d, 'AttributeNamespace'),
  }))

  return { requestId, issueInstant, nameIdentifier, hokCertificateBase64, innerAssertion, attributes, designators, signature: signatures[0], root, ids }
}

function readAttribute(el: Element): SamlAttribute {
  return {
    name: requireAttr(el, 'AttributeName'),
    namespace: requireAttr(el, 'AttributeNamespace'),
    values: childElements(el, SAML, 'AttributeValue').map((v) => v.textContent ?? ''),
  }
}
