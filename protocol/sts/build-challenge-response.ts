/**
 * The client's answer to a SignChallenge (TC `wstrust/signchallenge.template.xml`): an RSTR with
 * SignChallengeResponse, sent with SOAPAction `urn:be:fgov:ehealth:sts:protocol:v1:Challenge` under
 * a WS-Security header signed by the holder-of-key key. Proof of possession comes from that
 * signature; the body only echoes the challenge and the context.
 *
 * @module
 */
import { escapeAttr, escapeText } from '../xml/index.js'
import { STS_NS } from './namespaces.js'
import { checkXmlText } from './xml-chars.js'

/** Inputs of {@link buildChallengeResponse}. */
export interface ChallengeResponseOptions {
  /** The `@Context` of the STS's challenge RSTR (TC copies it from the response root). */
  context: string
  /** The `wst:Challenge` text exactly as received (`parseRstr(...).challenge`), not trimmed. */
  challenge: string
}

/**
 * `wst:RequestSecurityTokenResponse` with `wst:SignChallengeResponse/wst:Challenge`, laid out as
 * TC's `signchallenge.template.xml` (Context before the namespace declaration).
 *
 * @throws AgentError `ERR_INVALID_PARAMS` for an empty context or challenge, or characters XML
 * cannot carry.
 *
 * @example
 * ```ts
 * buildChallengeResponse({ context: 'context-1', challenge: 'abc' })
 * // '<wst:RequestSecurityTokenResponse Context="context-1" xmlns:wst="…">\n  <wst:SignChallengeResponse>…'
 * ```
 */
export function buildChallengeResponse(options: ChallengeResponseOptions): string {
  checkXmlText(options.context, 'context')
  checkXmlText(options.challenge, 'challenge')
  return [
    `<wst:RequestSecurityTokenResponse Context="${escapeAttr(options.context)}" xmlns:wst="${STS_NS.wst}">`,
    `  <wst:SignChallengeResponse>`,
    `    <wst:Challenge>${escapeText(options.challenge)}</wst:Challenge>`,
    `  </wst:SignChallengeResponse>`,
    `</wst:RequestSecurityTokenResponse>`,
  ].join('\n')
}
