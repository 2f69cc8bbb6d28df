/**
 * The STS's answer to an RST: a SignChallenge or the token (TC `STSServiceWsTrustImpl`, EC
 * `InboundAssertionSOAPHandler`).
 *
 * @module
 */
import { childElements } from '../xml/index.js'
import { extractElementText } from '../xml/extract-element-text.js'
import { STS_NS } from './namespaces.js'
import { expectElement, onlyChild, optionalChild, readContext, readMessage, remoteProtocol } from './read-message.js'

/** The STS asks for proof of possession of the UseKey key: answer with `buildChallengeResponse`. */
export interface RstrChallenge {
  kind: 'challenge'
  context: string
  /** The `wst:Challenge` text as received, not trimmed (it is echoed back, TC `signchallenge.template.xml`). */
  challenge: string
}

/** The STS issued the token. */
export interface RstrToken {
  kind: 'token'
  /** The `@Context` echoed by the STS, if it echoed one; the caller compares it with its own. */
  context: string | undefined
  /**
   * The SAML 1.1 Assertion: the exact characters the STS sent, from `<` of its start tag to `>`
   * of its end tag, with only the namespace declarations it inherits from ancestors added to its
   * start tag. Standalone-parseable; same exc-c14n as in the response, so the STS signature holds.
   * Not yet verified: `protocol/saml` checks signature, conditions and HOK binding.
   */
  assertionXml: string
}

/** Either answer of {@link parseRstr}. */
export type RstrResult = RstrChallenge | RstrToken

/**
 * Read a `wst:RequestSecurityTokenResponse`, alone or as the only member of a
 * `wst:RequestSecurityTokenResponseCollection`.
 *
 * `source` is the Body's child as XML text, or as an Element. With an Element, pass the text its
 * document was parsed from (e.g. the whole envelope text) as `documentText` to keep the assertion
 * verbatim; without it, the assertion is re-serialized (equal under exc-c14n only).
 *
 * Strict on purpose: the token is taken only from `wst:RequestedSecurityToken` (never "the first
 * Assertion anywhere", which signature wrapping exploits), and an answer with both a token and a
 * challenge, two tokens, or a SAML 2.0 token is refused.
 *
 * @throws AgentError `ERR_REMOTE_PROTOCOL` (with `data.detail`) for anything else.
 *
 * @example
 * ```ts
 * const answer = parseRstr(bodyChildText)
 * if (answer.kind === 'challenge') send(buildChallengeResponse(answer))
 * else cache(answer.assertionXml)
 * ```
 */
export function parseRstr(source: string | Element, documentText?: string): RstrResult {
  const message = readMessage(source, documentText, 'the STS answer')
  const rstr = unwrapCollection(message.element)
  expectElement(rstr, STS_NS.wst, 'RequestSecurityTokenResponse', 'a wst:RequestSecurityTokenResponse')
  const context = readContext(rstr)

  const signChallenge = optionalChild(rstr, STS_NS.wst, 'SignChallenge')
  const requested = optionalChild(rstr, STS_NS.wst, 'RequestedSecurityToken')
  if (signChallenge && requested) throw remoteProtocol('the RSTR carries both a SignChallenge and a RequestedSecurityToken')

  if (signChallenge) {
    const challenge = onlyChild(signChallenge, STS_NS.wst, 'Challenge').textContent ?? ''
    if (challenge.trim() === '') throw remoteProtocol('the SignChallenge has an empty Challenge')
    if (!context) throw remoteProtocol('the SignChallenge RSTR has no Context to answer with')
    return { kind: 'challenge', context, challenge }
  }
  if (requested) {
    const tokens = childElements(requested)
    if (tokens.length !== 1) throw remoteProtocol(`RequestedSecurityToken must hold exactly one element, found ${tokens.length}`)
    const token = tokens[0]!
    expectElement(token, STS_NS.saml1, 'Assertion', 'a SAML 1.1 Assertion')
    return { kind: 'token', context, assertionXml: extractElementText(token, message.documentText) }
  }
  throw remoteProtocol('the RSTR has neither a RequestedSecurityToken nor a SignChallenge')
}

/** The single RSTR of a collection, or `el` itself when it is not a collection. */
function unwrapCollection(el: Element): Element {
  if (el.namespaceURI !== STS_NS.wst || el.localName !== 'RequestSecurityTokenResponseCollection') return el
  const members = childElements(el)
  if (members.length !== 1) {
    throw remoteProtocol(`the RequestSecurityTokenResponseCollection must hold exactly one response, found ${members.length}`)
  }
  return members[0]!
}
