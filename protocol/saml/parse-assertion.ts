/**
 * Reading a SAML 1.1 Assertion as the eHealth STS issues it (protocol/README.md, "SAML 1.1
 * assertion") into a typed object. No signature or time check here: that is
 * {@link checkAssertion}'s job, which uses {@link readAssertion} on the element it has verified.
 *
 * @module
 */
import { childElements, parseXml } from '../xml/index.js'
import { SAML_NAMESPACES, SAML_URIS } from './names.js'
import {
  derOf,
  optionalChild,
  readDateTime,
  readKeyInfoCertificate,
  readNameIdentifier,
  requireAttr,
  requireChild,
  requireVersion11,
  samlInvalid,
} from './read-xml.js'
import type { NameIdentifier, SamlAttribute } from './types.js'

const SAML = SAML_NAMESPACES.assertion
const DS = SAML_NAMESPACES.dsig

/** A parsed SAML 1.1 holder-of-key assertion. */
export interface SamlAssertion {
  /**
   * The exact text of the Assertion element as received (an XML declaration or whitespace around
   * it is left out). Never re-serialized: the STS signed these bytes (their exc-c14n), and they
   * are copied verbatim into every later WS-Security header (TC `SAMLHolderOfKeyHandler`).
   */
  xml: string
  assertionId: string
  issuer: string
  issueInstant: Date
  conditions: { notBefore: Date; notOnOrAfter: Date }
  /** The subject of the AuthenticationStatement. */
  nameIdentifier: NameIdentifier
  /** Always holder-of-key: nothing else is accepted. */
  confirmationMethod: string
  /** Base64 DER of the HOK certificate (SubjectConfirmation/ds:KeyInfo), whitespace removed. */
  hokCertificateBase64: string
  authenticationMethod: string
  authenticationInstant: Date
  /** The attributes of every AttributeStatement, in document order. */
  attributes: SamlAttribute[]
}

/**
 * Parse an assertion from its text (hardened parse: no DTD, size and depth limits). The root
 * must be the Assertion itself.
 *
 * @example
 * ```ts
 * const a = parseAssertion(tokenXml)
 * a.conditions.notOnOrAfter // Date
 * a.attributes.find((x) => x.name === 'urn:be:fgov:person:ssin')?.values[0]
 * ```
 */
export function parseAssertion(text: string): SamlAssertion {
  const parsed = parseXml(text, undefined, 1)
  const span = parsed.spans[0]!
  return readAssertion(parsed.root, text.slice(span.start, span.end))
}

/**
 * Read an Assertion element. Only its direct children are read (statements nested anywhere else
 * are ignored by construction), and anything SAML 1.1 allows but eHealth never sends (Advice,
 * other statement types, several confirmation methods) is refused rather than half-understood.
 *
 * @example
 * ```ts
 * const { root } = parseXml(tokenXml)
 * const a = readAssertion(root, tokenXml)
 * ```
 */
export function readAssertion(el: Element, xml: string): SamlAssertion {
  if (el.namespaceURI !== SAML || el.localName !== 'Assertion') throw samlInvalid('the element is not a saml:Assertion')
  requireVersion11(el)
  const assertionId = requireAttr(el, 'AssertionID')
  const issuer = requireAttr(el, 'Issuer')
  const issueInstant = readDateTime(el, 'IssueInstant')

  // SAML 1.1 assertion schema: Conditions?, Advice?, (Statement|SubjectStatement|
  // AuthenticationStatement|AuthorizationDecisionStatement|AttributeStatement)+, ds:Signature?
  for (const child of childElements(el)) {
    const known =
      (child.namespaceURI === SAML && ['Conditions', 'AuthenticationStatement', 'AttributeStatement'].includes(child.localName!)) ||
      (child.namespaceURI === DS && child.localName === 'Signature')
    if (!known) throw samlInvalid(`unexpected element ${child.nodeName} in the assertion`)
  }

  // Conditions are optional in SAML 1.1, but a token without an end of validity cannot be cached
  // or renewed (TC `SAMLHelper.getNotOnOrAfterCondition`, EC `getNotAfter`), so both bounds are
  // required.
  const conditionsEl = requireChild(el, SAML, 'Conditions')
  const conditions = { notBefore: readDateTime(conditionsEl, 'NotBefore'), notOnOrAfter: readDateTime(conditionsEl, 'NotOnOrAfter') }
  if (conditions.notOnOrAfter.getTime() <= conditions.notBefore.getTime()) throw samlInvalid('Conditions/@NotOnOrAfter is not after @NotBefore')

  const authn = requireChild(el, SAML, 'AuthenticationStatement')
  const authSubject = readSubject(requireChild(authn, SAML, 'Subject'))
  if (!authSubject.nameIdentifier) throw samlInvalid('the AuthenticationStatement subject has no NameIdentifier')
  if (!authSubject.hokCertificateBase64) throw samlInvalid('the AuthenticationStatement subject is not confirmed by holder-of-key')

  const attributes: SamlAttribute[] = []
  for (const statement of childElements(el, SAML, 'AttributeStatement')) {
    const subject = readSubject(requireChild(statement, SAML, 'Subject'))
    // Each SAML 1.1 statement names its own subject; attributes about someone else, or bound to
    // another key, must not be read as the token holder's.
    if (subject.nameIdentifier && !sameNameIdentifier(subject.nameIdentifier, authSubject.nameIdentifier)) {
      throw samlInvalid('the AttributeStatement subject differs from the AuthenticationStatement subject')
    }
    if (subject.hokCertificateBase64 !== undefined && !derOf(subject.hokCertificateBase64).equals(derOf(authSubject.hokCertificateBase64))) {
      throw samlInvalid('the AttributeStatement subject is confirmed by another key than the AuthenticationStatement subject')
    }
    for (const child of childElements(statement)) {
      if (child.namespaceURI === SAML && child.localName === 'Subject') continue
      if (child.namespaceURI !== SAML || child.localName !== 'Attribute') throw samlInvalid(`unexpected element ${child.nodeName} in an AttributeStatement`)
      attributes.push(readAttribute(child))
    }
  }

  return {
    xml,
    assertionId,
    issuer,
    issueInstant,
    conditions,
    nameIdentifier: authSubject.nameIdentifier,
    confirmationMethod: SAML_URIS.holderOfKey,
    hokCertificateBase64: authSubject.hokCertificateBase64,
    authenticationMethod: requireAttr(authn, 'AuthenticationMethod'),
    authenticationInstant: readDateTime(authn, 'AuthenticationInstant'),
    attributes,
  }
}

interface Subject {
  nameIdentifier: NameIdentifier | undefined
  /** Set when the subject has a (holder-of-key) SubjectConfirmation. */
  hokCertificateBase64: string | undefined
}

function readSubject(subject: Element): Subject {
  const nameEl = optionalChild(subject, SAML, 'NameIdentifier')
  const confirmation = optionalChild(subject, SAML, 'SubjectConfirmation')
  let hokCertificateBase64: string | undefined
  if (confirmation) {
    // Exactly one method, and it is holder-of-key: a bearer or sender-vouches alternative next to
    // it would let the token be used without the key (SAML 1.1 core §2.4.2.3: any listed method
    // may be used to confirm the subject).
    const methods = childElements(confirmation, SAML, 'ConfirmationMethod')
    if (methods.length !== 1 || (methods[0]!.textContent ?? '').trim() !== SAML_URIS.holderOfKey) {
      throw samlInvalid('SubjectConfirmation must have exactly one ConfirmationMethod, holder-of-key')
    }
    hokCertificateBase64 = readKeyInfoCertificate(requireChild(confirmation, DS, 'KeyInfo'))
  }
  return { nameIdentifier: nameEl ? readNameIdentifier(nameEl) : undefined, hokCertificateBase64 }
}

function readAttribute(el: Element): SamlAttribute {
  const values: string[] = []
  for (const child of childElements(el)) {
    if (child.namespaceURI !== SAML || child.localName !== 'AttributeValue') throw samlInvalid(`unexpected element ${child.nodeName} in an Attribute`)
    // The text as signed, untrimmed: xsd:string preserves whitespace.
    values.push(child.textContent ?? '')
  }
  return { name: requireAttr(el, 'AttributeName'), namespace: requireAttr(el, 'AttributeNamespace'), values }
}

function sameNameIdentifier(a: NameIdentifier, b: NameIdentifier): boolean {
  return a.value === b.value && a.format === b.format && a.nameQualifier === b.nameQualifier
}
