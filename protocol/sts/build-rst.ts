/**
 * The two `wst:RequestSecurityToken` bodies the agent sends to the WS-Trust STS: Issue
 * (holder-of-key, TC `wstrust/issue.samlv11.hok.template.xml`) and Renew (TC
 * `wstrust/renew.samlv11.template.xml`). Text in, text out: the SOAP layer
 * wraps the result in a Body and signs it; with the same inputs the output is byte-identical
 * (golden files in `golden/`).
 *
 * @module
 */
import { escapeAttr, escapeText, indexIds, parseXml } from '../xml/index.js'
import { formatXsdDateTime, isNcName } from '../xsd/index.js'
import { AgentError } from '../errors.js'
import type { StsClaims } from './claims.js'
import { duplicateClaim, findDuplicateClaimUris, mergeClaims } from './merge-claims.js'
import { STS_NS, STS_URIS } from './namespaces.js'
import { checkXmlText, invalidParam } from './xml-chars.js'

/** Inputs of {@link buildIssueRequest}. Clock and ids are the caller's (protocol/ has no clock). */
export interface IssueRequestOptions {
  /** Provided attributes and designators, e.g. from `claimsForProfile`. */
  claims: StsClaims
  /** `wst:Lifetime/wsu:Created`. */
  created: Date
  /** `wst:Lifetime/wsu:Expires`; must be after `created`. */
  expires: Date
  /** The unqualified `@Context`, echoed by the STS (EC style `context-<uuid>` is fine). */
  context: string
  /** Base64 DER of the holder-of-key certificate for `wst:UseKey`; omitted, the STS binds the
   * token to the certificate that signed the WS-Security header (egelke/etee `WsTrustClient`). */
  hokCertificateBase64?: string
}

/** Inputs of {@link buildRenewRequest}. */
export interface RenewRequestOptions {
  context: string
  /** The assertion to renew, as received (e.g. `parseRstr(...).assertionXml`): inserted verbatim. */
  assertionXml: string
  /** `wsse:Embedded/@wsu:Id` (TC: `token-<uuid>`); an NCName not used inside the assertion. */
  embeddedId: string
}

// The namespaces of TC's Issue template, on the root, in its order.
const ROOT_NAMESPACES =
  `xmlns:wst="${STS_NS.wst}" xmlns:auth="${STS_NS.auth}" xmlns:wsu="${STS_NS.wsu}" ` +
  `xmlns:wsse="${STS_NS.wsse}" xmlns:ds="${STS_NS.ds}"`

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * The Issue RST of TC `wstrust/issue.samlv11.hok.template.xml`, holder-of-key, SAML 1.1: TokenType,
 * RequestType Issue, Claims (each URI once: see `merge-claims.ts` for which duplicates are merged
 * and which refused), Lifetime in UTC with milliseconds, KeyType `…/wstrust/200512/PublicKey`, and
 * UseKey when a HOK certificate is given.
 *
 * @throws AgentError `ERR_DUPLICATE_CLAIM` (`data.uri`) before anything is sent when a provided
 * attribute is given twice (eHealth's R2024.1 rule); `ERR_INVALID_PARAMS` for bad dates, context,
 * certificate or claims.
 *
 * @example
 * ```ts
 * const xml = buildIssueRequest({
 *   claims: claimsForProfile('doctor', { ssin: '79021802145' }),
 *   created: new Date('2025-01-10T09:00:00Z'),
 *   expires: new Date('2025-01-11T09:00:00Z'),
 *   context: 'context-2b1e6c7e-0000-4000-8000-000000000001',
 *   hokCertificateBase64: certificateBase64,
 * })
 * ```
 */
export function buildIssueRequest(options: IssueRequestOptions): string {
  checkXmlText(options.context, 'context')
  const created = writeInstant(options.created, 'created')
  const expires = writeInstant(options.expires, 'expires')
  if (options.expires.getTime() <= options.created.getTime()) throw invalidParam('expires', 'expires must be after created')
  const certificate = options.hokCertificateBase64
  if (certificate !== undefined && (certificate.length === 0 || !BASE64.test(certificate))) {
    throw invalidParam('hokCertificateBase64', 'hokCertificateBase64 must be base64 (DER of the certificate) without line breaks')
  }

  const claims = mergeClaims(options.claims)
  if (claims.length === 0) throw invalidParam('claims', 'an Issue request needs at least one claim')
  const claimLines = claims.map((c) =>
    c.value === undefined
      ? `    <auth:ClaimType Uri="${escapeAttr(c.uri)}"/>`
      : `    <auth:ClaimType Uri="${escapeAttr(c.uri)}"><auth:Value>${escapeText(c.value)}</auth:Value></auth:ClaimType>`,
  )
  const lines = [
    `<wst:RequestSecurityToken ${ROOT_NAMESPACES} Context="${escapeAttr(options.context)}">`,
    `  <wst:TokenType>${STS_URIS.tokenTypeSaml11}</wst:TokenType>`,
    `  <wst:RequestType>${STS_URIS.requestTypeIssue}</wst:RequestType>`,
    `  <wst:Claims Dialect="${STS_URIS.claimsDialect}">`,
    ...claimLines,
    `  </wst:Claims>`,
    `  <wst:Lifetime>`,
    `    <wsu:Created>${created}</wsu:Created>`,
    `    <wsu:Expires>${expires}</wsu:Expires>`,
    `  </wst:Lifetime>`,
    `  <wst:KeyType>${STS_URIS.keyTypePublicKey}</wst:KeyType>`,
  ]
  if (certificate !== undefined) {
    lines.push(
      `  <wst:UseKey>`,
      `    <wsse:SecurityTokenReference>`,
      `      <ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data>`,
      `    </wsse:SecurityTokenReference>`,
      `  </wst:UseKey>`,
    )
  }
  lines.push(`</wst:RequestSecurityToken>`)
  const xml = lines.join('\n')
  assertEachClaimOnce(xml)
  return xml
}

/**
 * The Renew RST of TC `wstrust/renew.samlv11.template.xml`: TokenType, RequestType Renew, and
 * RenewTarget / SecurityTokenReference / Embedded (with `wsu:Id`) holding the old assertion. The
 * assertion's characters are inserted as given, never re-serialized: the STS signed them.
 *
 * @throws AgentError `ERR_SAML_INVALID` when `assertionXml` is not one SAML 1.1 Assertion element
 * (an XML declaration or whitespace around it is left out, the element itself is kept verbatim);
 * XML parse errors as such; `ERR_INVALID_PARAMS` for a bad context or embeddedId.
 *
 * @example
 * ```ts
 * const xml = buildRenewRequest({ context: 'context-2', assertionXml: token.assertionXml, embeddedId: 'token-2' })
 * ```
 */
export function buildRenewRequest(options: RenewRequestOptions): string {
  checkXmlText(options.context, 'context')
  if (!isNcName(options.embeddedId)) {
    throw invalidParam('embeddedId', 'embeddedId must be an XML NCName such as "token-<uuid>"')
  }
  checkXmlText(options.assertionXml, 'assertionXml')
  const { root, spans } = parseXml(options.assertionXml, undefined, 1)
  if (root.namespaceURI !== STS_NS.saml1 || root.localName !== 'Assertion') {
    throw new AgentError('ERR_SAML_INVALID', `the token to renew is a {${root.namespaceURI ?? ''}}${root.localName}, not a SAML 1.1 Assertion`, {
      detail: 'not a SAML 1.1 Assertion',
    })
  }
  if (indexIds(root).has(options.embeddedId)) {
    throw invalidParam('embeddedId', `embeddedId "${options.embeddedId}" is already an id inside the assertion`)
  }
  const span = spans[0]!
  const assertion = options.assertionXml.slice(span.start, span.end)
  return [
    `<wst:RequestSecurityToken ${ROOT_NAMESPACES} Context="${escapeAttr(options.context)}">`,
    `  <wst:TokenType>${STS_URIS.tokenTypeSaml11}</wst:TokenType>`,
    `  <wst:RequestType>${STS_URIS.requestTypeRenew}</wst:RequestType>`,
    `  <wst:RenewTarget>`,
    `    <wsse:SecurityTokenReference>`,
    `      <wsse:Embedded wsu:Id="${options.embeddedId}">${assertion}</wsse:Embedded>`,
    `    </wsse:SecurityTokenReference>`,
    `  </wst:RenewTarget>`,
    `</wst:RequestSecurityToken>`,
  ].join('\n')
}

/**
 * The last line of defence for eHealth's R2024.1 duplicate-claim rule: read the ClaimType URIs back
 * from the text about to be sent and refuse it if one repeats. `mergeClaims` already guarantees
 * this; the check makes a future change that breaks it fail here rather than at the STS. The
 * pattern is reliable because this module wrote the text and escapes `<` in every value.
 */
function assertEachClaimOnce(xml: string): void {
  const uris = [...xml.matchAll(/<auth:ClaimType Uri="([^"]*)"/g)].map((m) => ({ uri: m[1]! }))
  const [duplicate] = findDuplicateClaimUris(uris)
  if (duplicate !== undefined) throw duplicateClaim(unescapeAttr(duplicate))
}

/** Inverse of escapeAttr for what a claim URI can hold (checkUri refuses whitespace). */
function unescapeAttr(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&amp;/g, '&')
}

/** A Lifetime instant, UTC with milliseconds (what EC-style clients send). */
function writeInstant(date: Date, what: string): string {
  const written = formatXsdDateTime(date)
  if (!written.ok) throw invalidParam(what, `${what} cannot be written as xsd:dateTime: ${written.problem}`)
  return written.value
}
