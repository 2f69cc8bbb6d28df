import { AgentError } from '../errors.js'
import { childElement, childElements, textOf } from '../xml/dom.js'
import { EHEALTH_SOA_ERRORS_NS, SOAP11_NS } from './namespaces.js'
import { splitEnvelope, type SplitEnvelope } from './split-envelope.js'

/**
 * eHealth's SOA error detail (core:ErrorType + soa:Environment), eHealth errors schema
 * `ehealth-errors-schema-soa-1_1.xsd`.
 */
export interface EhealthErrorDetail {
  kind: 'BusinessError' | 'SystemError'
  id?: string
  origin?: string
  /** As sent, e.g. `wst:InvalidRequest` or `SOA-01001`. */
  code?: string
  messages: { lang?: string; text: string }[]
  retry?: boolean
  contact?: string
  /** Development, Test, Integration, Acceptation, Simulation or Production. */
  environment?: string
}

/** A SOAP 1.1 or 1.2 fault, read into one shape. */
export interface SoapFault {
  /** The fault code QName as written (`wst:InvalidRequest`, `soapenv:Client`). */
  code: string
  /** The code's namespace URI, resolved from its prefix where possible. */
  codeNamespace?: string
  /** The code's local part (`InvalidRequest`). */
  codeLocalName: string
  /** faultstring (1.1) or the first Reason/Text (1.2). */
  reason: string
  actor?: string
  ehealth?: EhealthErrorDetail
}

/**
 * Read the SOAP fault in a response, if the Body holds one.
 *
 * @example
 * ```ts
 * const fault = parseSoapFault(responseText)
 * fault?.ehealth?.messages[1]?.text // 'Attribute urn:… multiple times found.'
 * ```
 */
export function parseSoapFault(envelope: string | SplitEnvelope): SoapFault | undefined {
  const env = typeof envelope === 'string' ? splitEnvelope(envelope, { allowSecurityHeader: true }) : envelope
  const fault = env.bodyRoot
  if (!fault || fault.namespaceURI !== env.soapNs || fault.localName !== 'Fault') return undefined

  let codeEl: Element | undefined
  let reason: string
  let detail: Element | undefined
  let actor: string | undefined
  if (env.soapNs === SOAP11_NS) {
    // SOAP 1.1 §4.4: faultcode, faultstring, faultactor and detail are unqualified.
    codeEl = firstByLocalName(fault, 'faultcode')
    reason = normalize(textOf(firstByLocalName(fault, 'faultstring')))
    actor = textOf(firstByLocalName(fault, 'faultactor')) || undefined
    detail = firstByLocalName(fault, 'detail')
  } else {
    const code = childElement(fault, env.soapNs, 'Code')
    codeEl = code ? childElement(code, env.soapNs, 'Value') : undefined
    const reasonEl = childElement(fault, env.soapNs, 'Reason')
    reason = normalize(textOf(reasonEl ? childElement(reasonEl, env.soapNs, 'Text') : undefined))
    actor = textOf(childElement(fault, env.soapNs, 'Role')) || undefined
    detail = childElement(fault, env.soapNs, 'Detail')
  }
  const code = textOf(codeEl)
  const colon = code.indexOf(':')
  const prefix = colon === -1 ? null : code.slice(0, colon)
  const codeNamespace = codeEl?.lookupNamespaceURI(prefix) ?? undefined
  const result: SoapFault = { code, codeLocalName: colon === -1 ? code : code.slice(colon + 1), reason }
  if (codeNamespace) result.codeNamespace = codeNamespace
  if (actor) result.actor = actor
  const ehealth = detail ? readEhealthDetail(detail) : undefined
  if (ehealth) result.ehealth = ehealth
  return result
}

function readEhealthDetail(detail: Element): EhealthErrorDetail | undefined {
  const el = childElements(detail).find(
    (e) => e.namespaceURI === EHEALTH_SOA_ERRORS_NS && (e.localName === 'BusinessError' || e.localName === 'SystemError'),
  )
  if (!el) return undefined
  // core:ErrorType children are unqualified (elementFormDefault="unqualified"); Environment is soa-qualified.
  const out: EhealthErrorDetail = {
    kind: el.localName as 'BusinessError' | 'SystemError',
    messages: childElements(el)
      .filter((m) => m.localName === 'Message')
      .map((m) => {
        const lang = m.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang') || m.getAttribute('xml:lang')
        return lang ? { lang, text: normalize(textOf(m)) } : { text: normalize(textOf(m)) }
      }),
  }
  const id = el.getAttribute('Id')
  if (id) out.id = id
  const origin = textOf(firstByLocalName(el, 'Origin'))
  if (origin) out.origin = origin
  const code = textOf(firstByLocalName(el, 'Code'))
  if (code) out.code = code
  const retry = textOf(firstByLocalName(el, 'Retry'))
  if (retry) out.retry = retry === 'true' || retry === '1'
  const contact = textOf(firstByLocalName(el, 'Contact'))
  if (contact) out.contact = contact
  const env = textOf(childElement(el, EHEALTH_SOA_ERRORS_NS, 'Environment'))
  if (env) out.environment = env
  return out
}

/**
 * The AgentError a caller gets for a fault: ERR_STS_REJECTED from the STS, ERR_SERVICE_FAULT
 * from a business service, with eHealth's code, messages and environment in `data.ehealth`.
 */
export function faultToAgentError(fault: SoapFault, from: 'sts' | 'service'): AgentError {
  const e = fault.ehealth
  const messages = e?.messages.map((m) => m.text) ?? []
  const summary = [e?.code ?? fault.code, ...messages].filter(Boolean).join(': ')
  return new AgentError(from === 'sts' ? 'ERR_STS_REJECTED' : 'ERR_SERVICE_FAULT', `eHealth answered ${summary || fault.reason}`, {
    ehealth: {
      faultcode: fault.code,
      faultstring: fault.reason,
      code: e?.code,
      origin: e?.origin,
      messages,
      environment: e?.environment,
      ticket: e?.id,
    },
  })
}

function firstByLocalName(parent: Element, localName: string): Element | undefined {
  return childElements(parent).find((e) => e.localName === localName)
}

/** Collapse whitespace runs: eHealth messages are displayed, and line breaks in them are layout. */
function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim()
}
