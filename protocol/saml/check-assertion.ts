/**
 * The acceptance check of an STS token, for a token fresh from the STS and for one the user
 * imports (I.AM fat-client SSO spec v1.0): signed by a trusted STS over exactly this Assertion,
 * inside its validity window, bound to our HOK certificate (threat T17).
 *
 * @module
 */
import { X509Certificate } from 'node:crypto'
import { AgentError } from '../errors.js'
import { describeCertificate, formatCertificateDescription } from '../pki/describe-certificate.js'
import { DEFAULT_XML_LIMITS, DSIG_NS, childElements, descendants, indexIds, parseXml, verifySignature, type VerifiedSignature } from '../xml/index.js'
import { checkStsSigner, type StsSignerChain } from './check-sts-signer.js'
import { SAML_NAMESPACES } from './names.js'
import { readAssertion, type SamlAssertion } from './parse-assertion.js'
import { derOf, readDateTime, requireAttr, samlInvalid } from './read-xml.js'

const SAML = SAML_NAMESPACES.assertion

/** Options of {@link checkAssertion}. */
export interface CheckAssertionOptions {
  /**
   * Pinned STS signing certificates: a token signed with exactly one of these is trusted as it is
   * (the settings' `trustedStsCertificates`, and tests). At least one of this and `signerChain`.
   */
  trustedSigners?: readonly X509Certificate[]
  /**
   * The environment's CA bundle and STS name: a token signed with a certificate that
   * {@link checkStsSigner} accepts at the token's IssueInstant is trusted (the certificate comes
   * from ds:KeyInfo; the signature must verify with it).
   */
  signerChain?: StsSignerChain
  /**
   * For `signerChain`: the oldest IssueInstant accepted, as an age; default 7 days. The signer is
   * judged at IssueInstant (a token stays usable when its signer expires during its lifetime), so
   * without a bound a key whose certificate expired long ago could sign tokens dated back to
   * when it was valid. Seven days is far beyond any STS token lifetime seen (24 hours at most).
   */
  maxIssueAgeMs?: number
  /** The clock (protocol/ has none of its own). */
  now: Date
  /**
   * Tolerated clock difference with the STS, both ways; default 5 minutes (EG's inbound tolerance,
   * `WSS.VerifyTimestamp`).
   */
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

/** The default {@link CheckAssertionOptions.maxIssueAgeMs}: 7 days. */
export const DEFAULT_MAX_ISSUE_AGE_MS = 7 * 24 * 3600_000

/**
 * Check an assertion and return it parsed, or throw a typed AgentError:
 * - ERR_XML_* from the hardened parser (DTD, size, depth, malformed) and ERR_XML_DUPLICATE_ID;
 * - ERR_SIGNATURE_WRAPPING when the one enveloped signature is not a direct child of the root
 *   Assertion or does not reference the root itself, or when the document holds another
 *   assertion or signature;
 * - ERR_TOKEN_UNTRUSTED when the certificate in ds:KeyInfo is neither one of `trustedSigners`
 *   nor accepted by `signerChain` (data.certificate names it: subject, issuer, validity, SHA-256;
 *   data.reason says why), or the issuer is not expected; ERR_SIGNATURE_INVALID when the
 *   signature does not verify;
 * - ERR_TOKEN_EXPIRED (data: notBefore, notOnOrAfter) outside the Conditions window ± skew, or
 *   issued longer ago than `maxIssueAgeMs` when judged by `signerChain`;
 * - ERR_TOKEN_NOT_BOUND when the HOK certificate is not `expectedHokCertificateBase64`;
 * - ERR_SAML_INVALID for anything else that is not the expected SAML 1.1 shape.
 *
 * RSA with SHA-256 or SHA-1 is accepted: the 2024 WS-Trust cookbook example is signed rsa-sha256,
 * a real acceptance token of 2020 (SAML-P) rsa-sha1.
 *
 * @example
 * ```ts
 * const token = checkAssertion(xml, {
 *   signerChain: { cas: accBundle, signerOu: 'IAMACC' },
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
  // Read before the signature is checked, to judge the signer at the time it signed; the
  // signature covers it, so a changed IssueInstant fails verification below.
  const issueInstant = readDateTime(root, 'IssueInstant')
  const ids = indexIds(root) // refuses duplicate ids (ERR_XML_DUPLICATE_ID)

  const signature = locateSignature(root, assertionId)
  const key = chooseKeys(signature, options, issueInstant)
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
  // Nothing relates NotBefore to IssueInstant: the real STS dates NotBefore minutes before it.
  if (t + skewMs < notBefore.getTime()) throw new AgentError('ERR_TOKEN_EXPIRED', `the SAML token is not yet valid (valid from ${window.notBefore})`, window)
  if (t - skewMs >= notOnOrAfter.getTime()) throw new AgentError('ERR_TOKEN_EXPIRED', `the SAML token has expired (at ${window.notOnOrAfter})`, window)
  if (key.judgedByChain && t - issueInstant.getTime() > (options.maxIssueAgeMs ?? DEFAULT_MAX_ISSUE_AGE_MS)) {
    throw new AgentError('ERR_TOKEN_EXPIRED', `the SAML token was issued at ${issueInstant.toISOString()}, too long ago to be trusted`, { ...window, issueInstant: issueInstant.toISOString() })
  }
  if (t + skewMs < issueInstant.getTime()) {
    throw new AgentError('ERR_TOKEN_EXPIRED', `the SAML token says it was issued at ${issueInstant.toISOString()}, in the future`, { ...window, issueInstant: issueInstant.toISOString() })
  }

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

/** The keys to verify the signature with, and whether trust came from the CA bundle. */
interface ChosenKeys {
  candidates: X509Certificate[]
  judgedByChain: boolean
}

/**
 * The trusted keys to try: an embedded certificate (ds:KeyInfo) that is pinned or that the
 * environment's chain rule accepts at `issueInstant`; every pinned certificate when KeyInfo names
 * none. An embedded certificate that is not trusted is refused outright, named: it only proves
 * that someone holds that key.
 */
function chooseKeys(signature: Element, options: CheckAssertionOptions, issueInstant: Date): ChosenKeys {
  const pinned = options.trustedSigners ?? []
  if (pinned.length === 0 && !options.signerChain) throw new AgentError('ERR_TOKEN_UNTRUSTED', 'no trusted STS certificate or CA is configured')
  const keyInfo = childElements(signature, DSIG_NS, 'KeyInfo')[0]
  const embedded: Buffer[] = []
  if (keyInfo) {
    for (const data of childElements(keyInfo, DSIG_NS, 'X509Data')) {
      for (const cert of childElements(data, DSIG_NS, 'X509Certificate')) embedded.push(derOf(cert.textContent ?? ''))
    }
  }
  if (embedded.length === 0) {
    if (pinned.length === 0) throw new AgentError('ERR_TOKEN_UNTRUSTED', 'the assertion names no signing certificate (ds:KeyInfo) and no STS certificate is pinned')
    return { candidates: [...pinned], judgedByChain: false }
  }
  const matches = pinned.filter((t) => embedded.some((der) => der.equals(t.raw)))
  if (matches.length > 0) return { candidates: matches, judgedByChain: false }
  let refused: { certificate: X509Certificate | undefined; reason: string } | undefined
  for (const der of embedded) {
    let certificate: X509Certificate
    try {
      certificate = new X509Certificate(der)
    } catch {
      refused ??= { certificate: undefined, reason: 'ds:X509Certificate is not an X.509 certificate' }
      continue
    }
    if (!options.signerChain) {
      refused ??= { certificate, reason: 'it is not one of the pinned STS certificates' }
      continue
    }
    const verdict = checkStsSigner(certificate, options.signerChain, issueInstant)
    if (verdict.trusted) return { candidates: [certificate], judgedByChain: true }
    refused ??= { certificate, reason: verdict.reason }
  }
  throw untrustedSigner(refused!, options.signerChain?.signerOu)
}

/**
 * ERR_TOKEN_UNTRUSTED naming the certificate and what to do: a token for another environment, a
 * signer eHealth has just moved to a CA this version does not know, or not eHealth at all.
 */
function untrustedSigner(refused: { certificate: X509Certificate | undefined; reason: string }, signerOu: string | undefined): AgentError {
  const description = refused.certificate ? describeCertificate(refused.certificate) : undefined
  const what = description ? formatCertificateDescription(description) : 'an unreadable certificate'
  const todo =
    'If this is a token of another environment, use the agent of that environment (--env). If eHealth has moved its STS to a new certificate ' +
    'this version does not know, update ehealth-agent, or add the PEM of that certificate to trustedStsCertificates in the settings after checking its SHA-256 with eHealth.'
  return new AgentError('ERR_TOKEN_UNTRUSTED', `the assertion is not signed by the eHealth STS${signerOu ? ` (${signerOu})` : ''}: it is signed by ${what}; ${refused.reason}. ${todo}`, {
    ...(description ? { certificate: description } : {}),
    reason: refused.reason,
  })
}

function verifyWithAny(signature: Element, keys: ChosenKeys, ids: Map<string, Element>): VerifiedSignature {
  const { candidates } = keys
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
