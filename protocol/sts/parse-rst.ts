/**
 * The server side of `build-rst.ts`: what the sandbox STS reads from an Issue or Renew RST.
 * It reports what is there and refuses only what it cannot read; policy (duplicate claims,
 * lifetime limits, UseKey vs BST) is the sandbox's, so duplicates are returned, not refused
 * (check them with `findDuplicateClaimUris`).
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { childElements, textOf } from '../xml/index.js'
import { extractElementText } from '../xml/extract-element-text.js'
import { STS_NS, STS_URIS } from './namespaces.js'
import { expectElement, onlyChild, optionalChild, readContext, readMessage, remoteProtocol } from './read-message.js'
import { parseXsdDateTime } from '../xsd/index.js'

/** One `auth:ClaimType`: its URI and its values (none for a designator). */
export interface RstClaim {
  uri: string
  /**
   * Each `auth:Value`'s text, split at `;` (TC `STSServiceWsTrustImpl.issueHokToken` joins
   * several values with `;`).
   */
  values: string[]
}

/** What an RST asks for. */
export interface ParsedRst {
  requestType: 'issue' | 'renew'
  context: string | undefined
  tokenType: string | undefined
  /** In document order, duplicates included. Empty for a Renew. */
  claims: RstClaim[]
  lifetime: { created: Date; expires: Date } | undefined
  keyType: string | undefined
  /** `wst:UseKey/wsse:SecurityTokenReference/ds:X509Data/ds:X509Certificate`, whitespace removed. */
  useKeyCertificateBase64?: string
  /** For a Renew: the embedded assertion as standalone text (verbatim when the text is known). */
  renewAssertionXml?: string
  /** For a Renew: `wsse:Embedded/@wsu:Id`, if present. */
  renewEmbeddedId?: string
}

const REQUEST_TYPES: Readonly<Record<string, ParsedRst['requestType']>> = {
  [STS_URIS.requestTypeIssue]: 'issue',
  [STS_URIS.requestTypeRenew]: 'renew',
}

/**
 * Read a `wst:RequestSecurityToken` (Issue or Renew). `source` is text or an Element; with an
 * Element, `documentText` (the text it was parsed from) keeps `renewAssertionXml` verbatim.
 *
 * @throws AgentError `ERR_REMOTE_PROTOCOL` (with `data.detail`) when the request cannot be read:
 * not an RST, an unknown RequestType or Claims Dialect, a ClaimType without Uri, an unreadable
 * Lifetime, a UseKey without certificate, a Renew without a SAML 1.1 assertion.
 *
 * @example
 * ```ts
 * const rst = parseRst(bodyChild, envelopeText)
 * const [duplicate] = findDuplicateClaimUris(rst.claims)
 * if (duplicate) return fault(buildDuplicateClaimFault(duplicate, 'Integration'))
 * ```
 */
export function parseRst(source: string | Element, documentText?: string): ParsedRst {
  const message = readMessage(source, documentText, 'the RST')
  const rst = message.element
  expectElement(rst, STS_NS.wst, 'RequestSecurityToken', 'a wst:RequestSecurityToken')

  const requestTypeUri = textOf(onlyChild(rst, STS_NS.wst, 'RequestType'))
  const requestType = REQUEST_TYPES[requestTypeUri]
  if (!requestType) throw remoteProtocol(`unsupported RequestType "${requestTypeUri.slice(0, 120)}"`)

  const tokenTypeEl = optionalChild(rst, STS_NS.wst, 'TokenType')
  const keyTypeEl = optionalChild(rst, STS_NS.wst, 'KeyType')
  const result: ParsedRst = {
    requestType,
    context: readContext(rst),
    tokenType: tokenTypeEl ? textOf(tokenTypeEl) : undefined,
    claims: readClaims(rst),
    lifetime: readLifetime(rst),
    keyType: keyTypeEl ? textOf(keyTypeEl) : undefined,
  }
  const useKey = optionalChild(rst, STS_NS.wst, 'UseKey')
  if (useKey) {
    const reference = onlyChild(useKey, STS_NS.wsse, 'SecurityTokenReference')
    const certificate = textOf(onlyChild(onlyChild(reference, STS_NS.ds, 'X509Data'), STS_NS.ds, 'X509Certificate')).replace(/\s+/g, '')
    if (certificate === '') throw remoteProtocol('UseKey has an empty X509Certificate')
    result.useKeyCertificateBase64 = certificate
  }
  if (requestType === 'renew') {
    const target = onlyChild(rst, STS_NS.wst, 'RenewTarget')
    const embedded = onlyChild(onlyChild(target, STS_NS.wsse, 'SecurityTokenReference'), STS_NS.wsse, 'Embedded')
    const tokens = childElements(embedded)
    if (tokens.length !== 1) throw remoteProtocol(`wsse:Embedded must hold exactly one element, found ${tokens.length}`)
    expectElement(tokens[0]!, STS_NS.saml1, 'Assertion', 'a SAML 1.1 Assertion to renew')
    result.renewAssertionXml = extractElementText(tokens[0]!, message.documentText)
    if (embedded.hasAttributeNS(STS_NS.wsu, 'Id')) result.renewEmbeddedId = embedded.getAttributeNS(STS_NS.wsu, 'Id')!
  }
  return result
}

function readClaims(rst: Element): RstClaim[] {
  const claimsEl = optionalChild(rst, STS_NS.wst, 'Claims')
  if (!claimsEl) return []
  const dialect = claimsEl.getAttribute('Dialect') ?? ''
  if (dialect !== STS_URIS.claimsDialect) throw remoteProtocol(`unsupported Claims Dialect "${dialect.slice(0, 120)}"`)
  return childElements(claimsEl, STS_NS.auth, 'ClaimType').map((claimType) => {
    const uri = claimType.getAttribute('Uri') ?? ''
    if (uri === '') throw remoteProtocol('a ClaimType has no Uri')
    const values = childElements(claimType, STS_NS.auth, 'Value').flatMap((v) => textOf(v).split(';'))
    return { uri, values }
  })
}

function readLifetime(rst: Element): ParsedRst['lifetime'] {
  const lifetime = optionalChild(rst, STS_NS.wst, 'Lifetime')
  if (!lifetime) return undefined
  return {
    created: readInstant(textOf(onlyChild(lifetime, STS_NS.wsu, 'Created')), 'Lifetime/Created'),
    expires: readInstant(textOf(onlyChild(lifetime, STS_NS.wsu, 'Expires')), 'Lifetime/Expires'),
  }
}

/**
 * A Lifetime instant in every form clients send: UTC `Z` (EC, us), a `+01:00`
 * offset (TC, JS), .NET's seven fraction digits (EG), and Java's `+0100` without the colon (EC's
 * `yyyy-MM-dd'T'HH:mm:ssZ`, accepted by the real STS). A value without a zone is read as UTC, so
 * the result never depends on the machine's zone.
 */
function readInstant(text: string, what: string): Date {
  const read = parseXsdDateTime(text, { missingTimezone: 'utc', offsetWithoutColon: true })
  if (read.ok) return read.value
  throw new AgentError('ERR_REMOTE_PROTOCOL', `${what} "${text.slice(0, 60)}" is not an xsd:dateTime: ${read.problem}`, { detail: `${what} is not an xsd:dateTime` })
}
