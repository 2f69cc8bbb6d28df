/**
 * Finding the STS assertion in whatever a user hands the agent to import, by content and not by
 * file name. The IDP's fat-client download gives the token "as if it was retrieved from the eHealth
 * STS itself" (I.AM "SSO from eHealth I.AM IDP to fat client" v1.0) in a format no public document
 * describes, and tokens saved by other tools come in several shapes; all of these are accepted:
 * - a bare SAML 1.1 `saml:Assertion`, exactly as issued (with or without an XML declaration, as
 *   the Technical Connector's `SAML10Converter.toXMLString` writes it);
 * - a WS-Trust `wst:RequestSecurityTokenResponse` (or its Collection) holding one in
 *   `wst:RequestedSecurityToken`, or a SAML-P `samlp:Response` holding one;
 * - a SOAP 1.1 or 1.2 envelope whose Body holds any of these;
 * - the agent's own `.ehtoken` file (sso-token-file.ts);
 * - any of the above base64-encoded (the text of a form field, a mail attachment);
 * - each with or without a UTF-8 byte order mark and surrounding white space.
 *
 * The assertion's own characters are kept (extractElementText): its signature covers its
 * canonical form, and the certificate base64 inside it is wrapped over several lines by the real
 * STS, so nothing is normalised. Nothing is checked here beyond the shape: checkAssertion decides
 * whether the token is signed by the STS, valid, and bound to the user's key.
 *
 * @module
 */
import { isAgentError } from '../errors.js'
import { parseRstr } from '../sts/parse-rstr.js'
import { STS_NS } from '../sts/namespaces.js'
import { DEFAULT_XML_LIMITS, childElements, extractElementText, parseXml } from '../xml/index.js'
import type { EnvironmentId } from '../environments.js'
import { SAML_NAMESPACES } from './names.js'
import { samlInvalid } from './read-xml.js'
import { parseSsoTokenFile, SSO_TOKEN_FILE } from './sso-token-file.js'

/** The shapes {@link readTokenDocument} recognises. */
export const TOKEN_DOCUMENT_SHAPES = ['assertion', 'rstr', 'samlp-response', 'soap-envelope', 'ehtoken'] as const
export type TokenDocumentShape = (typeof TOKEN_DOCUMENT_SHAPES)[number]

/** What {@link readTokenDocument} found. */
export interface TokenDocument {
  /** The saml:Assertion as a standalone document, its characters as they were in the input. */
  assertionXml: string
  /** The outermost shape of the input (after base64 decoding). */
  shape: TokenDocumentShape
  /** Whether the input was base64 text. */
  base64: boolean
  /** The `.ehtoken` file's labels (not signed: informative only). */
  environment?: EnvironmentId
  profile?: string
}

const SOAP_NS = ['http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope']
const SAML = SAML_NAMESPACES.assertion
const SAMLP = SAML_NAMESPACES.protocol
// A token is a few kilobytes; a document a hundred times larger is not one.
const LIMITS = { ...DEFAULT_XML_LIMITS, maxLength: 1024 * 1024 }
const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/

/**
 * Find the assertion in `text`.
 *
 * @throws AgentError `ERR_SAML_INVALID` ("not an assertion", with `data.detail`) when the input is
 * neither of the shapes above; `ERR_XML_*` for XML the hardened parser refuses (DTD, size, depth).
 *
 * @example
 * ```ts
 * const { assertionXml, shape } = readTokenDocument(await readFile(path, 'utf8'))
 * const token = checkAssertion(assertionXml, { signerChain, now, expectedHokCertificateBase64 })
 * ```
 */
export function readTokenDocument(text: string): TokenDocument {
  let xml = stripBom(text).trim()
  let base64 = false
  if (!xml.startsWith('<')) {
    if (!BASE64.test(xml)) throw notAToken('it is neither XML nor base64')
    const bytes = Buffer.from(xml.replace(/\s+/g, ''), 'base64')
    xml = stripBom(new TextDecoder('utf-8').decode(bytes)).trim()
    if (!xml.startsWith('<')) throw notAToken('it is base64, but not of an XML document')
    base64 = true
  }
  const { root } = parseXml(xml, LIMITS, 1)
  if (root.namespaceURI === SSO_TOKEN_FILE.namespace) {
    const file = parseSsoTokenFile(xml)
    return { assertionXml: file.assertionXml, shape: 'ehtoken', base64, environment: file.environment, profile: file.profile }
  }
  const found = findAssertion(root, xml)
  return { assertionXml: found.assertionXml, shape: found.shape, base64 }
}

function findAssertion(element: Element, xml: string, inEnvelope = false): { assertionXml: string; shape: TokenDocumentShape } {
  const ns = element.namespaceURI ?? ''
  const name = element.localName ?? ''
  if (ns === SAML && name === 'Assertion') {
    // The top-level element; inside a container it is extracted with the declarations it inherits.
    return { assertionXml: extractElementText(element, xml), shape: inEnvelope ? 'soap-envelope' : 'assertion' }
  }
  if (SOAP_NS.includes(ns) && name === 'Envelope' && !inEnvelope) {
    const body = childElements(element).filter((c) => c.localName === 'Body' && c.namespaceURI === ns)
    const content = body.length === 1 ? childElements(body[0]!) : []
    if (content.length !== 1) throw notAToken('the SOAP envelope does not hold one element in one Body')
    return { ...findAssertion(content[0]!, xml, true), shape: 'soap-envelope' }
  }
  if (ns === STS_NS.wst && (name === 'RequestSecurityTokenResponse' || name === 'RequestSecurityTokenResponseCollection')) {
    let answer
    try {
      answer = parseRstr(element, xml)
    } catch (err) {
      if (isAgentError(err)) throw notAToken(`the WS-Trust answer holds no usable token (${err.message})`)
      throw err
    }
    if (answer.kind !== 'token') throw notAToken('the WS-Trust answer is a SignChallenge, not a token')
    return { assertionXml: answer.assertionXml, shape: inEnvelope ? 'soap-envelope' : 'rstr' }
  }
  if (ns === SAMLP && name === 'Response') {
    const assertions = childElements(element, SAML, 'Assertion')
    if (assertions.length !== 1) throw notAToken(`the samlp:Response holds ${assertions.length} assertions, not one`)
    return { assertionXml: extractElementText(assertions[0]!, xml), shape: inEnvelope ? 'soap-envelope' : 'samlp-response' }
  }
  throw notAToken(`the document is a ${element.nodeName} element (namespace ${ns === '' ? 'none' : ns}), not a SAML 1.1 assertion, an STS answer or an .ehtoken file`)
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function notAToken(detail: string) {
  return samlInvalid(`not an assertion: ${detail}`)
}
