/**
 * Reading the STS's `samlp:Response` (TC `STSServiceImpl.getToken`, EG `Saml11/Response.cs`): the
 * issued assertion's text on success, a typed ERR_STS_REJECTED carrying the SAML status otherwise.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { childElement, childElements, extractElementText, indexIds, inScopeNamespaces, parseXml } from '../xml/index.js'
import { SAML_NAMESPACES } from './names.js'
import { requireAttr, requireChild, requireVersion11, samlInvalid } from './read-xml.js'

const SAML = SAML_NAMESPACES.assertion
const SAMLP = SAML_NAMESPACES.protocol

/** A successful samlp:Response. */
export interface SamlpSuccess {
  status: 'success'
  responseId: string
  /**
   * The issued Assertion's text, exactly as in the response (plus, only if it relies on them,
   * the namespace declarations it inherits from samlp:Response): a standalone document to hand
   * to {@link checkAssertion} and to copy verbatim into WS-Security headers.
   */
  assertionXml: string
}

/** Options of {@link parseSamlpResponse}. */
export interface ParseSamlpResponseOptions {
  /** The RequestID of the request this answers (EG enforces InResponseTo). */
  expectedInResponseTo: string
}

/**
 * Parse a samlp:Response (the root of `text`). Success (StatusCode `samlp:Success`, with `samlp`
 * whatever prefix is bound to the SAML 1.0 protocol namespace) with exactly one saml:Assertion
 * child returns that assertion's text, which is not checked here. Any other status throws
 * ERR_STS_REJECTED with data `{ statusCode, subStatusCode, statusMessage }`, the codes written
 * `samlp:Local` for the protocol namespace and `{uri}local` otherwise, absent ones null.
 * A wrong InResponseTo, or a success without exactly one assertion, is ERR_SAML_INVALID.
 *
 * The Response's own signature, if any, is not checked: the assertion carries the STS signature
 * that matters, and {@link checkAssertion} checks it.
 *
 * @example
 * ```ts
 * const { assertionXml } = parseSamlpResponse(responseText, { expectedInResponseTo: requestId })
 * const token = checkAssertion(assertionXml, { trustedSigners, now, expectedHokCertificateBase64 })
 * ```
 */
export function parseSamlpResponse(text: string, options: ParseSamlpResponseOptions): SamlpSuccess {
  const { root } = parseXml(text)
  if (root.namespaceURI !== SAMLP || root.localName !== 'Response') throw samlInvalid('the document root is not a samlp:Response')
  requireVersion11(root)
  const responseId = requireAttr(root, 'ResponseID')
  indexIds(root) // duplicate ids refuse the document

  // hasAttribute, not getAttribute: xmldom 0.8 returns '' (not null) for an absent attribute.
  const inResponseTo = root.hasAttribute('InResponseTo') ? root.getAttribute('InResponseTo') ?? '' : null
  if (inResponseTo !== null && inResponseTo !== options.expectedInResponseTo) {
    throw samlInvalid(`InResponseTo "${inResponseTo.slice(0, 80)}" is not the RequestID of the request`)
  }

  const statusEl = requireChild(root, SAMLP, 'Status')
  const codeEl = requireChild(statusEl, SAMLP, 'StatusCode')
  const code = resolveQName(codeEl)
  if (code.ns !== SAMLP || code.local !== 'Success') {
    const subEl = childElement(codeEl, SAMLP, 'StatusCode')
    const messageEl = childElement(statusEl, SAMLP, 'StatusMessage')
    const data = {
      statusCode: showQName(code),
      subStatusCode: subEl ? showQName(resolveQName(subEl)) : null,
      statusMessage: messageEl ? (messageEl.textContent ?? '').trim() : null,
    }
    const message = `the eHealth STS refused the request: ${data.statusCode}${data.subStatusCode ? `/${data.subStatusCode}` : ''}${data.statusMessage ? `: ${data.statusMessage.slice(0, 200)}` : ''}`
    throw new AgentError('ERR_STS_REJECTED', message, data)
  }

  // An answer that is not ours must not be taken for ours: a success must name our request.
  if (inResponseTo === null) throw samlInvalid('the response has no InResponseTo')

  const assertions = childElements(root, SAML, 'Assertion')
  if (assertions.length !== 1) throw samlInvalid(`a successful response must carry exactly one saml:Assertion, found ${assertions.length}`)
  // The exact characters of the assertion (plus any namespace declaration it inherits from the
  // response), never a re-serialization: checkAssertion then verifies the STS signature on
  // exactly this text, so an extraction that changed its canonical form could not pass.
  return { status: 'success', responseId, assertionXml: extractElementText(assertions[0]!, text) }
}

interface QName {
  ns: string
  local: string
}

// SAML 1.1 core §3.4.3.1: StatusCode/@Value is an xsd:QName, resolved against the namespaces in
// scope at the element (TC only tests contains("Success"); EG resolves the prefix).
function resolveQName(el: Element): QName {
  const value = requireAttr(el, 'Value').trim()
  const colon = value.indexOf(':')
  const prefix = colon === -1 ? '' : value.slice(0, colon)
  const local = colon === -1 ? value : value.slice(colon + 1)
  const ns = inScopeNamespaces(el).get(prefix)
  if (ns === undefined && prefix !== '') throw samlInvalid(`StatusCode "${value.slice(0, 80)}" uses an undeclared prefix`)
  return { ns: ns ?? '', local }
}

function showQName(q: QName): string {
  if (q.ns === SAMLP) return `samlp:${q.local}`
  return q.ns === '' ? q.local : `{${q.ns}}${q.local}`
}
