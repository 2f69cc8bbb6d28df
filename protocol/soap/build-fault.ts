import { escapeAttr, escapeText } from '../xml/c14n.js'
import { EHEALTH_SOA_ERRORS_NS, SOAP11_NS } from './namespaces.js'

/** A fault to render (sandbox STS and services). */
export interface FaultSpec {
  /** QName of the fault code, its prefix bound to `codeNamespace` on the faultcode element. */
  code: { prefix: string; namespace: string; localName: string }
  reason: string
  ehealth?: {
    kind: 'BusinessError' | 'SystemError'
    id: string
    origin: string
    code: string
    messages: string[]
    environment: string
  }
}

/**
 * Render a SOAP 1.1 fault envelope in the shape eHealth uses (eHealth's R2024.1 STS announcement):
 * `soapenv:` envelope, faultcode with its own prefix declaration, detail holding
 * `urn:BusinessError` whose core children are unqualified and whose Environment is soa-qualified.
 *
 * @example
 * ```ts
 * buildSoapFault({ code: { prefix: 'soapenv', namespace: SOAP11_NS, localName: 'Client' }, reason: 'Bad request' })
 * ```
 */
export function buildSoapFault(spec: FaultSpec): string {
  const { prefix, namespace, localName } = spec.code
  const codeDecl = prefix === 'soapenv' && namespace === SOAP11_NS ? '' : ` xmlns:${prefix}="${escapeAttr(namespace)}"`
  let detail = ''
  if (spec.ehealth) {
    const e = spec.ehealth
    detail =
      `<detail><urn:${e.kind} Id="${escapeAttr(e.id)}" xmlns:urn="${EHEALTH_SOA_ERRORS_NS}">` +
      `<Origin>${escapeText(e.origin)}</Origin><Code>${escapeText(e.code)}</Code>` +
      e.messages.map((m) => `<Message xml:lang="en">${escapeText(m)}</Message>`).join('') +
      `<urn:Environment>${escapeText(e.environment)}</urn:Environment></urn:${e.kind}></detail>`
  }
  return (
    `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}"><soapenv:Body><soapenv:Fault>` +
    `<faultcode${codeDecl}>${prefix}:${localName}</faultcode><faultstring>${escapeText(spec.reason)}</faultstring>` +
    `${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  )
}
