/**
 * The acceptance check of an STS token, for a token fresh from the STS and for one the user
 * imports (seed 000): signed by a trusted STS over exactly this Assertion, inside its validity
 * window, bound to our HOK certificate (ARCHITECTURE "Login"; threats T17).
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto'
import { AgentError } from '../errors.js'
import { DEFAULT_XML_LIMITS, DSIG_NS, childElements, descendants, indexIds, parseXml, verifySignature, type VerifiedSignature } from '../xml/index.js'
import { SAML_NAMESPACES } from './names.js'
import { readAssertion, type SamlAssertion } from './parse-assertion.js'
import { derOf, requireAttr, samlInvalid } from './read-xml.js'

const SAML = SAML_NAMESPACES.assertion

/** Options of {@link checkAssertion}. */
export interface CheckAssertionOptions {
  /** The STS signing certificates of the environment; the token must be signed by one of them. */
  trustedSigners: readonly X509Certificate[]
  /** The clock (protocol/ has none of its own). */
  now: Date
  /** Tolerated clock difference with the STS, both ways; default 5 minutes (EG's inbound tolerance, reference §10). */
  skewMs?: number
  /** Base64 DER of our HOK certificate; when given, the token must be bound to it. */
  expectedHokCertificateBase64?: string
  /** When given, `Issuer` must be one of these (e.g. {@link EHEALTH_STS_ISSUER}). */
  expectedIssuers?: readonly string[]
}

/**
 * The default clock skew of {@link checkAssertion}: 5 minutes.
 *
 * @example
 * ```ts
 * checkAssertion(xml, { trustedSigners, now, skewMs: DEFAULT_ASSERTION_SKEW_MS / 5 })
 * ```
 */
export const DEFAULT_ASSERTION_SKEW_MS = 5 * 60_000

/**
 * Check an assertion and return it parsed, or throw a typed AgentError:
 * - ERR_XML_* from the hardened parser (DTD, size, depth, malformed) and ERR_XML_DUPLICATE_ID;
 * - ERR_SIGNATURE_WRAPPING when the one enveloped signature is not a direct child of the root
 *   Assertion or does not reference the root itself, or when the document holds another
 *   assertion or signature;
 * - ERR_TOKEN_UNTRUSTED when the certificate in ds:KeyInfo is not one of `trustedSigners` (or
 *   the issuer is not expected), ERR_SIGNATURE_INVALID when the signature does not verify;
 * - ERR_TOKEN_EXPIRED (data: notBefore, notOnOrAfter) outside the Conditions window ± skew;
 * - ERR_TOKEN_NOT_BOUND when the HOK certificate is not `expectedHokCertificateBase64`;
 * - ERR_SAML_INVALID for anything else that is not the expected SAML 1.1 shape.
 *
 * RSA with SHA-256 or SHA-1 is accepted (reference §2.2: both are in use).
 *
 * @example
 * ```ts
 * const token = checkAssertion(xml, {
 *   trustedSigners: [stsCertificate],
 *   now: clock(),
 *   expectedHokCertificateBase64: hokCertBase64,
 * })
 * token.conditions.notOnOrAfter // schedule the renewal from here
 * ```
 */
export function checkAssertion(xmlText: string, options: CheckAssertionOptions): SamlAssertion {
  const skewMs = options.skewMs ?? DEFAULT_ASSERTION_SKEW_MS
  // Fail closed: with a NaN clock or skew every window comparison below would be false, i.e. pass.
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime()) || !Number.isFinite(skewMs) || skewMs < 0) {
    throw new AgentError('ERR_INTERNAL', 'checkAssertion needs a valid clock and a non-negative skew')
  }
  const parsed = parseXml(xmlText, DEFAULT_XML_LIMITS, 1)
  const root = parsed.root
  if (root.namespaceURI !== SAML || root.localName !== 'Assertion') {
    // An assertion wrapped in some other element is the classic wrapping shape; the token must
    // be the Assertion itself.
    if (descendants(root, SAML, 'Assertion').length > 0) {
      throw wrapping('the assertion is wrapped in another element; the document root must be the Assertion')
    }
    throw samlInvalid('the document root is not a saml:Assertion')
  }
  const assertionId = requireAttr(root, 'AssertionID')
  const ids = indexIds(root) // refuses duplicate ids (ERR_XML_DUPLICATE_ID)

  const signature = locateSignature(root, assertionId)
  const key = chooseKeys(signature, options.trustedSigners)
  const verified = verifyWithAny(signature, key, ids)
  // The check that defeats wrapping (XML-DSig alone says only "something was signed"): the one
  // signed element is the root, the element everything below is read from.
  if (verified.signedElements.length !== 1 || verified.signedElements[0] !== root) {
    throw wrapping('the signature does not cover the assertion root')
  }

  const span = parsed.spans[0]!
  const assertion = readAssertion(root, xmlText.slice(span.start, span.end))

  if (options.expectedIssuers && !options.expectedIssuers.includes(assertion.issuer)) {
    throw new AgentError('ERR_TOKEN_UNTRUSTED', `the assertion is issued by "${assertion.issuer.slice(0, 120)}", not by an expected STS`, {
      issuer: assertion.issuer,
    })
  }

  const { notBefore, notOnOrAfter } = assertion.conditions
  const t = options.now.getTime()
  const window = { notBefore: notBefore.toISOString(), notOnOrAfter: notOnOrAfter.toISOString() }
  // SAML 1.1 core §2.3.2.1: valid when NotBefore <= now < NotOnOrAfter; the skew widens both ends.
  if (t + skewMs < notBefore.getTime()) throw new AgentError('ERR_TOKEN_EXPIRED', 'the SAML token is not yet valid', window)
  if (t - skewMs >= notOnOrAfter.getTime()) throw new AgentError('ERR_TOKEN_EXPIRED', 'the SAML token has expired', window)

  if (options.expectedHokCertificateBase64 !== undefined) {
    if (!derOf(assertion.hokCertificateBase64).equals(derOf(options.expectedHokCertificateBase64))) {
      throw new AgentError('ERR_TOKEN_NOT_BOUND')
    }
  }
  return assertion
}

/**
 * The one ds:Signature of the document, checked to be where SAML puts it and to reference the
 * root before any cryptography runs.
 */
function locateSignature(root: Element, assertionId: string): Element {
  const all = descendants(root, DSIG_NS, 'Signature')
  if (all.length === 0) throw new AgentError('ERR_SIGNATURE_INVALID', 'the assertion is not signed', { detail: 'no ds:Signature' })
  // Another assertion inside this one (Advice, or an extension element) is how a signed original
  // is smuggled next to forged content; eHealth tokens never carry one.
  if (descendants(root, SAML, 'Assertion').length > 0) throw wrapping('the assertion contains another assertion')
  const direct = childElements(root, DSIG_NS, 'Signature')
  if (all.length !== 1 || direct.length !== 1) throw wrapping('the assertion must carry exactly one ds:Signature, as its direct child')
  const signature = direct[0]!
  // SAML 1.1 assertion schema: ds:Signature is the last child of Assertion.
  const children = childElements(root)
  if (children[children.length - 1] !== signature) throw wrapping('ds:Signature is not the last child of the assertion')

  // SAML 1.1 core §5.4.1: exactly one ds:Reference, whose URI is "#" + the root's id.
  const signedInfo = childElements(signature, DSIG_NS, 'SignedInfo')
  const references = signedInfo.length === 1 ? childElements(signedInfo[0]!, DSIG_NS, 'Reference') : []
  if (references.length !== 1) throw wrapping('the signature must have exactly one ds:Reference (SAML 1.1 core §5.4.1)')
  if (references[0]!.getAttribute('URI') !== `#${assertionId}`) throw wrapping('the signature does not reference the assertion root')
  return signature
}

/**
 * The trusted keys to try: the trusted certificate equal (DER) to the one in ds:KeyInfo, or every
 * trusted certificate when KeyInfo names none. An embedded certificate that is not trusted is
 * refused outright: it only proves that someone holds that key.
 */
function chooseKeys(signature: Element, trusted: readonly X509Certificate[]): X509Certificate[] {
  const keyInfo = childElements(signature, DSIG_NS, 'KeyInfo')[0]
  const embedded: Buffer[] = []
  if (keyInfo) {
    for (const data of childElements(keyInfo, DSIG_NS, 'X509Data')) {
      for (const cert of childElements(data, DSIG_NS, 'X509Certificate')) embedded.push(derOf(cert.textContent ?? ''))
    }
  }
  if (embedded.length === 0) {
    if (trusted.length === 0) throw new AgentError('ERR_TOKEN_UNTRUSTED', 'no trusted STS certificate is configured')
    return [...trusted]
  }
  const matches = trusted.filter((t) => embedded.some((der) => der.equals(t.raw)))
  if (matches.length === 0) throw new AgentError('ERR_TOKEN_UNTRUSTED', 'the assertion is signed with a certificate that is not a trusted STS certificate')
  return matches
}

function verifyWithAny(signature: Element, candidates: X509Certificate[], ids: Map<string, Element>): VerifiedSignature {
  let lastError: unknown
  for (const cert of candidates) {
    try {
      return verifySignature(signature, cert.publicKey, ids)
    } catch (err) {
      lastError = err
    }
  }
  if (candidates.length === 1) throw lastError
  throw new AgentError('ERR_SIGNATURE_INVALID', `the assertion signature does not verify with any of the ${candidates.length} trusted STS keys`, {
    detail: 'no trusted key verifies the signature',
  })
}

function wrapping(detail: string): AgentError {
  return new AgentError('ERR_SIGNATURE_WRAPPING', `signature wrapping refused: ${detail}`, { detail })
}
