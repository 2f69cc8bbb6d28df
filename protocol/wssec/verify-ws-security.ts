import type { KeyObject } from 'node:crypto'
import { AgentError } from '../errors.js'
import { WSSE_NS, WSU_NS } from '../soap/namespaces.js'
import { splitEnvelope, type SplitEnvelope } from '../soap/split-envelope.js'
import { childElements, textOf } from '../xml/dom.js'
import { extractElementText } from '../xml/extract-element-text.js'
import { indexIds } from '../xml/ids.js'
import { DSIG_NS } from '../xml/sign.js'
import { verifySignature, type VerifiedSignature } from '../xml/verify.js'
import { parseXsdDateTime } from '../xsd/index.js'
import { TOKEN_TYPES } from './tokens.js'

const SAML_NS = 'urn:oasis:names:tc:SAML:1.0:assertion'

/** The token a WS-Security signature names as its key. */
export type SigningToken =
  | { kind: 'x509'; certificateBase64: string }
  | { kind: 'saml-hok'; assertionXml: string; assertionId: string }

/** Options of {@link verifyWsSecurity}. */
export interface VerifyWsSecurityOptions {
  now: Date
  /** Clock skew tolerated on the Timestamp, default 5 minutes. */
  skewMs?: number
  /**
   * The key the signature must verify with, given the token it names. The caller decides trust:
   * for x509, that the certificate chains to a trusted CA; for saml-hok, that the assertion is
   * signed by a trusted STS and valid, and then returns its holder-of-key certificate's key.
   */
  keyFor(token: SigningToken): KeyObject | Promise<KeyObject>
}

/** What a verified WS-Security header established. */
export interface VerifiedWsSecurity {
  envelope: SplitEnvelope
  token: SigningToken
  timestamp: { created: Date; expires: Date }
  signature: VerifiedSignature
}

/**
 * Check a WS-Security header the way an eHealth endpoint does (its WS-SecurityPolicy): one Security
 * header with one Timestamp, one signature directly in it, a key named by a direct reference
 * to a BinarySecurityToken or by a SAML AssertionID key identifier, the Body and Timestamp (and
 * the BST) covered by that signature, the Timestamp fresh. Generic XML-DSig verification is
 * `protocol/xml`'s; this function only knows which elements must be signed, which is what
 * defeats signature wrapping here.
 *
 * @example
 * ```ts
 * const v = await verifyWsSecurity(text, { now: new Date(), keyFor: (t) => publicKeyOf(t) })
 * v.token.kind // 'saml-hok'
 * ```
 */
export async function verifyWsSecurity(text: string, options: VerifyWsSecurityOptions): Promise<VerifiedWsSecurity> {
  const env = splitEnvelope(text, { allowSecurityHeader: true })
  const securities = env.header ? childElements(env.header, WSSE_NS, 'Security') : []
  if (securities.length !== 1) throw unauthenticated(`expected one wsse:Security header, found ${securities.length}`)
  const security = securities[0]!

  const timestamps = childElements(security, WSU_NS, 'Timestamp')
  if (timestamps.length !== 1) throw unauthenticated(`expected one wsu:Timestamp, found ${timestamps.length}`)
  const timestamp = readTimestamp(timestamps[0]!, options.now, options.skewMs ?? 5 * 60_000)

  const signatures = childElements(security, DSIG_NS, 'Signature')
  if (signatures.length !== 1) throw unauthenticated(`expected one ds:Signature in the Security header, found ${signatures.length}`)
  const signatureEl = signatures[0]!

  const ids = indexIds(env.parsed.document)
  const { token, tokenElement } = resolveToken(security, signatureEl, ids, text)
  const key = await options.keyFor(token)
  const signature = verifySignature(signatureEl, key, ids)

  const required: [Element, string][] = [
    [env.body, 'the Body'],
    [timestamps[0]!, 'the Timestamp'],
  ]
  if (token.kind === 'x509') required.push([tokenElement, 'the BinarySecurityToken'])
  for (const [el, name] of required) {
    if (!signature.signedElements.includes(el)) {
      throw new AgentError('ERR_SIGNATURE_WRAPPING', `the signature does not cover ${name}`, { detail: `${name} not signed` })
    }
  }
  return { envelope: env, token, timestamp, signature }
}

function readTimestamp(el: Element, now: Date, skewMs: number): { created: Date; expires: Date } {
  const created = readInstant(childElements(el, WSU_NS, 'Created')[0], 'Created')
  const expiresEl = childElements(el, WSU_NS, 'Expires')[0]
  const expires = expiresEl ? readInstant(expiresEl, 'Expires') : new Date(created.getTime() + 5 * 60_000)
  if (created.getTime() - skewMs > now.getTime()) throw unauthenticated('the Timestamp is in the future (clock skew?)', { created, expires })
  if (expires.getTime() + skewMs <= now.getTime()) throw unauthenticated('the Timestamp has expired (stale message)', { created, expires })
  return { created, expires }
}

/**
 * wsu:Created / wsu:Expires: WS-Security 1.0 §10 says "All times MUST be in UTC format as specified
 * by the XML Schema type (dateTime)"; an explicit offset is unambiguous too, a time without zone
 * (which would depend on the reader's own zone) is not.
 */
function readInstant(el: Element | undefined, name: string): Date {
  const read = parseXsdDateTime(textOf(el), { missingTimezone: 'refuse' })
  if (!read.ok) throw unauthenticated(`the Timestamp dates are not valid: wsu:${name}: ${read.problem}`)
  return read.value
}

function resolveToken(
  security: Element,
  signature: Element,
  ids: Map<string, Element>,
  text: string,
): { token: SigningToken; tokenElement: Element } {
  const keyInfo = childElements(signature, DSIG_NS, 'KeyInfo')[0]
  const str = keyInfo ? childElements(keyInfo, WSSE_NS, 'SecurityTokenReference')[0] : undefined
  if (!str) throw unauthenticated('the signature has no wsse:SecurityTokenReference')

  const reference = childElements(str, WSSE_NS, 'Reference')[0]
  if (reference) {
    const uri = reference.getAttribute('URI') ?? ''
    const bst = uri.startsWith('#') ? ids.get(uri.slice(1)) : undefined
    if (!bst || bst.namespaceURI !== WSSE_NS || bst.localName !== 'BinarySecurityToken' || bst.parentNode !== security) {
      throw unauthenticated('the token reference does not point at a BinarySecurityToken in this Security header')
    }
    if ((bst.getAttribute('ValueType') ?? TOKEN_TYPES.x509v3) !== TOKEN_TYPES.x509v3) throw unauthenticated('the BinarySecurityToken is not an X.509v3 certificate')
    return { token: { kind: 'x509', certificateBase64: textOf(bst).replace(/\s+/g, '') }, tokenElement: bst }
  }

  const keyIdentifier = childElements(str, WSSE_NS, 'KeyIdentifier')[0]
  if (keyIdentifier && keyIdentifier.getAttribute('ValueType') === TOKEN_TYPES.samlAssertionId) {
    const assertionId = textOf(keyIdentifier)
    const assertion = childElements(security, SAML_NS, 'Assertion').filter((a) => a.getAttribute('AssertionID') === assertionId)
    if (assertion.length !== 1) throw unauthenticated(`no single SAML assertion ${assertionId.slice(0, 80)} in this Security header`)
    const el = assertion[0]!
    return { token: { kind: 'saml-hok', assertionXml: extractElementText(el, text), assertionId }, tokenElement: el }
  }
  throw unauthenticated('unsupported key reference in the SecurityTokenReference')
}

function unauthenticated(detail: string, data: Record<string, unknown> = {}): AgentError {
  return new AgentError('ERR_SIGNATURE_INVALID', `WS-Security check failed: ${detail}`, { detail, ...data })
}
