/**
 * The server side of `build-challenge-response.ts`: what the sandbox STS reads from the client's
 * SignChallengeResponse (TC `STSServiceWsTrustImpl.processRequest`).
 *
 * @module
 */
import { STS_NS } from './namespaces.js'
import { expectElement, onlyChild, readContext, readMessage, remoteProtocol } from './read-message.js'

/** The context and challenge the client echoed. */
export interface ParsedChallengeResponse {
  context: string
  /** As sent, not trimmed; the sandbox compares it with the challenge it issued. */
  challenge: string
}

/**
 * Read a `wst:RequestSecurityTokenResponse` holding `wst:SignChallengeResponse/wst:Challenge`.
 *
 * @throws AgentError `ERR_REMOTE_PROTOCOL` (with `data.detail`) for another element, a missing
 * Context, or a missing or empty Challenge.
 *
 * @example
 * ```ts
 * const { context, challenge } = parseChallengeResponse(bodyChild)
 * if (challenge !== issued.get(context)) refuse()
 * ```
 */
export function parseChallengeResponse(source: string | Element): ParsedChallengeResponse {
  const { element } = readMessage(source, undefined, 'the SignChallengeResponse')
  expectElement(element, STS_NS.wst, 'RequestSecurityTokenResponse', 'a wst:RequestSecurityTokenResponse')
  const context = readContext(element)
  if (!context) throw remoteProtocol('the SignChallengeResponse has no Context')
  const response = onlyChild(element, STS_NS.wst, 'SignChallengeResponse')
  const challenge = onlyChild(response, STS_NS.wst, 'Challenge').textContent ?? ''
  if (challenge.trim() === '') throw remoteProtocol('the SignChallengeResponse has an empty Challenge')
  return { context, challenge }
}
