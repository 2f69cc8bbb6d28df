/**
 * The sandbox STS's `samlp:Response` (the SAML 1.1 skeleton that TC, EC and EG read): success with
 * the signed assertion inserted verbatim, or an error status.
 *
 * @module
 */
import { parseXml, type ParsedXml } from '../xml/index.js'
import { SAML_NAMESPACES } from './names.js'
import { cannotBuild, writeAttr, writeDateTime, writeId, writeText } from './write-xml.js'

/** The status of a response: success, or a SAML 1.1 top-level code with optional details. */
export type SamlpStatus =
  | { code: 'Success' }
  | {
      /** SAML 1.1 core §3.4.3.1 top-level codes. */
      code: 'Requester' | 'Responder' | 'VersionMismatch'
      /** Local name of a second-level code in the samlp namespace, e.g. `RequestDenied`. */
      subCode?: string
      message?: string
    }

/** Input of {@link buildSamlpResponse}. */
export interface SamlpResponseInput {
  responseId: string
  /** The RequestID answered. */
  inResponseTo: string
  issueInstant: Date
  status: SamlpStatus
  /** The signed assertion's text, inserted verbatim (never re-serialized: it is signed). */
  assertionXml?: string
}

/**
 * Build a samlp:Response. The assertion must be a standalone saml:Assertion document (as
 * {@link prepareAssertion} returns it); it is checked to be one, then its element text (without
 * any XML declaration around it) is inserted as is.
 *
 * @example
 * ```ts
 * buildSamlpResponse({ responseId: '_ab12…', inResponseTo: req.requestId, issueInstant: now,
 *   status: { code: 'Success' }, assertionXml })
 * buildSamlpResponse({ responseId, inResponseTo, issueInstant: now,
 *   status: { code: 'Requester', subCode: 'RequestDenied', message: 'unknown profile' } })
 * ```
 */
export function buildSamlpResponse(input: SamlpResponseInput): string {
  const status = input.status
  let statusXml = `<samlp:StatusCode Value="samlp:${status.code}">`
  if (status.code !== 'Success' && status.subCode !== undefined) {
    statusXml += `<samlp:StatusCode Value="samlp:${writeId(status.subCode, 'status.subCode')}"></samlp:StatusCode>`
  }
  statusXml += '</samlp:StatusCode>'
  if (status.code !== 'Success' && status.message !== undefined) {
    statusXml += `<samlp:StatusMessage>${writeText(status.message, 'status.message')}</samlp:StatusMessage>`
  }

  let assertion = ''
  if (input.assertionXml !== undefined) {
    let parsed: ParsedXml
    try {
      parsed = parseXml(input.assertionXml, undefined, 1)
    } catch {
      throw cannotBuild('assertionXml is not well-formed XML')
    }
    if (parsed.root.namespaceURI !== SAML_NAMESPACES.assertion || parsed.root.localName !== 'Assertion') {
      throw cannotBuild('assertionXml is not a saml:Assertion')
    }
    // The element's own text: an XML declaration cannot appear inside another document.
    const span = parsed.spans[0]!
    assertion = input.assertionXml.slice(span.start, span.end)
  }

  return (
    `<samlp:Response xmlns:samlp="${SAML_NAMESPACES.protocol}" xmlns:saml="${SAML_NAMESPACES.assertion}"` +
    ` InResponseTo="${writeAttr(input.inResponseTo, 'inResponseTo')}" IssueInstant="${writeDateTime(input.issueInstant, 'issueInstant')}"` +
    ` MajorVersion="1" MinorVersion="1" ResponseID="${writeId(input.responseId, 'responseId')}">` +
    `<samlp:Status>${statusXml}</samlp:Status>${assertion}</samlp:Response>`
  )
}
