import type { KeyObject } from 'node:crypto'
import { AgentError } from '../../../protocol/errors.js'
import { WSSE_NS, WSU_NS } from '../../../protocol/soap/namespaces.js'
import { splitEnvelope, type SplitEnvelope } from '../../../protocol/soap/split-envelope.js'
import { childElements, descendants, textOf } from '../../../protocol/xml/dom.js'
import { extractElementText } from '../../../protocol/xml/extract-element-text.js'
import { checkXmlSignature, DSIG, type RequiredReference } from './check-xml-signature.js'
import { indexDocumentIds } from './index-ids.js'

const SAML_NS = 'urn:oasis:names:tc:SAML:1.0:assertion'
// OASIS WSS X.509 Token Profile 1.0 §3.1 and SAML Token Profile 1.1 §3.4.2.
const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3'
const SAML_ASSERTION_ID = 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID'

/** The token a message's signature names as its key. */
export type MessageToken =
  | { kind: 'x509'; certificateBase64: string }
  | { kind: 'saml-hok'; assertionXml: string; assertionId: string }

/** Options of {@link checkWsSecurity}. */
export interface CheckWsSecurityOptions {
  now: Date
  /** Clock skew tolerated on the Timestamp, default 5 minutes. */
  skewMs?: number
  /**
   * The key the signature must verify with, for the token the message names. Trust is the
   * caller's: for x509, the BST certificate after it checked its chain; for saml-hok, the
   * assertion's holder-of-key certificate after it verified the assertion's own signature.
   */
  keyFor(token: MessageToken): KeyObject | Promise<KeyObject>
}

/** What a checked message established. */
export interface CheckedWsSecurity {
  envelope: SplitEnvelope
  token: MessageToken
  timestamp: { created: Date; expires: Date }
  /** The Body's exclusive canonical form, as xml-crypto digested it. */
  canonicalBody: string
}

/**
 * The sandbox's check of an incoming WS-Security header, as the WS-SecurityPolicy of eHealth's
 * STS WSDL (`sts_v1.wsdl`: IncludeTimestamp, SignedParts Body, ProtectTokens) and the SAML
 * holder-of-key services ask: one Security header holding one Timestamp, fresh within the
 * skew, and one ds:Signature; ids unique in the whole message; the key named by a direct
 * reference to a BinarySecurityToken of that header (X.509 Token Profile §3.3.2) or by a SAML
 * AssertionID key identifier (SAML Token Profile §3.4.2), but chosen by `keyFor`, never taken
 * from KeyInfo; the signature covering exactly the Body and the Timestamp, plus the
 * BinarySecurityToken for the X.509 profile, each with exc-c14n alone.
 *
 * The signature itself is verified by xml-crypto (check-xml-signature.ts), never by the agent's
 * own canonicalizer or verifier: the sandbox stands in for eHealth, so a canonicalization bug
 * shared by signer and checker must not cancel out. protocol/ only parses the message here.
 */
export async function checkWsSecurity(text: string, options: CheckWsSecurityOptions): Promise<CheckedWsSecurity> {
  const envelope = splitEnvelope(text, { allowSecurityHeader: true })
  const securities = envelope.header ? childElements(envelope.header, WSSE_NS, 'Security') : []
  if (securities.length !== 1) throw unauthenticated(`expected one wsse:Security header, found ${securities.length}`)
  const security = securities[0]!

  const timestamps = childElements(security, WSU_NS, 'Timestamp')
  if (timestamps.length !== 1) throw unauthenticated(`expected one wsu:Timestamp, found ${timestamps.length}`)
  const timestamp = readTimestamp(timestamps[0]!, options.now, options.skewMs ?? 5 * 60_000)

  const signatures = childElements(security, DSIG.ns, 'Signature')
  if (signatures.length !== 1) throw unauthenticated(`expected one ds:Signature in the Security header, found ${signatures.length}`)
  const signature = signatures[0]!
  // A token assertion carries its own signature; any other one in the header is a second
  // message signature a verifier could pick instead of this one.
  const assertions = childElements(security, SAML_NS, 'Assertion')
  const others = descendants(security, DSIG.ns, 'Signature').filter((s) => s !== signature && !assertions.some((a) => s.parentNode === a))
  if (others.length > 0) throw unauthenticated('the Security header holds more than one ds:Signature')

  const ids = indexDocumentIds(envelope.parsed.document)
  const { token, tokenElement } = resolveToken(security, signature, ids, text)
  const key = await options.keyFor(token)

  const required: RequiredReference[] = [
    { element: envelope.body, name: 'the Body', transforms: [DSIG.excC14n] },
    { element: timestamps[0]!, name: 'the Timestamp', transforms: [DSIG.excC14n] },
  ]
  if (token.kind === 'x509') required.push({ element: tokenElement, name: 'the BinarySecurityToken', transforms: [DSIG.excC14n] })
  const canonical = checkXmlSignature({ xml: text, signature, key, idAttribute: 'Id', ids, required })
  const bodyId = [...canonical.keys()].find((id) => ids.get(id) === envelope.body)!
  return { envelope, token, timestamp, canonicalBody: canonical.get(bodyId)! }
}

/** WS-Security 1.0 §10: Created required, Expires optional (then 5 minutes); both within the skew. */
function readTimestamp(el: Element, now: Date, skewMs: number): { created: Date; expires: Date } {
  const created = new Date(textOf(childElements(el, WSU_NS, 'Created')[0]))
  const expiresEl = childElements(el, WSU_NS, 'Expires')[0]
  const expires = expiresEl ? new Date(textOf(expiresEl)) : new Date(created.getTime() + 5 * 60_000)
  if (Number.isNaN(created.getTime()) || Number.isNaN(expires.getTime())) throw unauthenticated('the Timestamp dates are not valid')
  if (created.getTime() - skewMs > now.getTime()) throw unauthenticated('the Timestamp is in the future (clock skew?)', { created, expires })
  if (expires.getTime() + skewMs <= now.getTime()) throw unauthenticated('the Timestamp has expired (stale message)', { created, expires })
  return { created, expires }
}

/** The token the SecurityTokenReference names; only located here, its trust is keyFor's. */
function resolveToken(security: Element, signature: Element, ids: ReadonlyMap<string, Element>, text: string): { token: MessageToken; tokenElement: Element } {
  const keyInfo = childElements(signature, DSIG.ns, 'KeyInfo')[0]
  const references = keyInfo ? childElements(keyInfo, WSSE_NS, 'SecurityTokenReference') : []
  if (references.length !== 1) throw unauthenticated('the signature has no single wsse:SecurityTokenReference')
  const str = references[0]!

  const direct = childElements(str, WSSE_NS, 'Reference')[0]
  if (direct) {
    const uri = direct.getAttribute('URI') ?? ''
    const bst = uri.startsWith('#') ? ids.get(uri.slice(1)) : undefined
    if (!bst || bst.namespaceURI !== WSSE_NS || bst.localName !== 'BinarySecurityToken' || bst.parentNode !== security) {
      throw unauthenticated('the token reference does not point at a BinarySecurityToken in this Security header')
    }
    if ((bst.getAttribute('ValueType') ?? X509V3) !== X509V3) throw unauthenticated('the BinarySecurityToken is not an X.509v3 certificate')
    return { token: { kind: 'x509', certificateBase64: textOf(bst).replace(/\s+/g, '') }, tokenElement: bst }
  }

  const keyIdentifier = childElements(str, WSSE_NS, 'KeyIdentifier')[0]
  if (keyIdentifier && keyIdentifier.getAttribute('ValueType') === SAML_ASSERTION_ID) {
    const assertionId = textOf(keyIdentifier)
    const matching = childElements(security, SAML_NS, 'Assertion').filter((a) => a.getAttribute('AssertionID') === assertionId)
    if (matching.length !== 1) {
      throw unauthenticated(`no single SAML assertion ${assertionId.slice(0, 80)} in this Security header`)
    }
    const el = matching[0]!
    return { token: { kind: 'saml-hok', assertionXml: extractElementText(el, text), assertionId }, tokenElement: el }
  }
  throw unauthenticated('unsupported key reference in the SecurityTokenReference')
}

function unauthenticated(detail: string, data: Record<string, unknown> = {}): AgentError {
  return new AgentError('ERR_SIGNATURE_INVALID', `WS-Security check failed: ${detail}`, { detail, ...data })
}
