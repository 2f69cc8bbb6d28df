import { AgentError } from '../errors.js'
import { childElements } from '../xml/dom.js'
import { parseXml, type ParsedXml } from '../xml/parse-xml.js'
import { DEFAULT_XML_LIMITS, type ElementSpan, type XmlLimits } from '../xml/scan-xml.js'
import { SOAP11_NS, SOAP12_NS, WSSE_NAMESPACES } from './namespaces.js'

/** A SOAP envelope taken apart once: the DOM for reading, the spans for splicing. */
export interface SplitEnvelope {
  parsed: ParsedXml
  version: '1.1' | '1.2'
  /** The envelope namespace of this version. */
  soapNs: string
  envelope: Element
  header: Element | undefined
  body: Element
  /** The first element inside Body: the operation (or a Fault). */
  bodyRoot: Element | undefined
  /** Where Envelope, Header and Body sit in the caller's original text. */
  spans: { envelope: ElementSpan; header: ElementSpan | undefined; body: ElementSpan }
}

/** Options of {@link splitEnvelope}. */
export interface SplitOptions {
  limits?: XmlLimits
  /** Reading a response or a signed request (sandbox, verifier): a Security header is expected. */
  allowSecurityHeader?: boolean
}

/**
 * Parse a SOAP 1.1 or 1.2 envelope once and refuse anything ambiguous, before any signing:
 * not an Envelope, zero or several Bodies or Headers, a Header after the Body, any other child
 * of Envelope, a SOAP Body element hidden anywhere else (threat T9: what is signed must be what
 * a reader of the message takes for the Body), an existing wsse:Security header.
 *
 * @example
 * ```ts
 * const env = splitEnvelope(text)
 * env.bodyRoot?.localName // 'GetInsurabilityRequest'
 * ```
 */
export function splitEnvelope(text: string, options: SplitOptions = {}): SplitEnvelope {
  const parsed = parseXml(text, options.limits ?? DEFAULT_XML_LIMITS, 2)
  const envelope = parsed.root
  const soapNs = envelope.namespaceURI
  if (envelope.localName !== 'Envelope' || (soapNs !== SOAP11_NS && soapNs !== SOAP12_NS)) {
    throw invalid(`the root element is {${envelope.namespaceURI ?? ''}}${envelope.localName}, not a SOAP 1.1 or 1.2 Envelope`)
  }

  const children = childElements(envelope)
  let header: Element | undefined
  let body: Element | undefined
  for (const child of children) {
    const isSoap = child.namespaceURI === soapNs
    if (isSoap && child.localName === 'Header') {
      if (header) throw invalid('the envelope has more than one Header')
      if (body) throw invalid('the Header comes after the Body')
      header = child
    } else if (isSoap && child.localName === 'Body') {
      if (body) throw invalid('the envelope has more than one Body')
      body = child
    } else {
      throw invalid(`unexpected element {${child.namespaceURI ?? ''}}${child.localName} directly inside the Envelope`)
    }
  }
  if (!body) throw invalid('the envelope has no Body')

  // Any other SOAP Body element in the document (inside the Header, or nested in the Body) is a
  // second Body to some reader; refuse rather than guess which one the service will act on.
  const bodies = parsed.document.getElementsByTagNameNS(soapNs, 'Body')
  if (bodies.length !== 1) {
    const inHeader = header !== undefined && header.getElementsByTagNameNS(soapNs, 'Body').length > 0
    throw invalid(inHeader ? 'a SOAP Body element is hidden inside the Header' : 'a second SOAP Body element is nested in the message')
  }

  if (header && !options.allowSecurityHeader) {
    for (const ns of WSSE_NAMESPACES) {
      if (header.getElementsByTagNameNS(ns, 'Security').length > 0) {
        throw new AgentError('ERR_SOAP_ALREADY_SIGNED')
      }
    }
  }

  // The lexical spans at depth 1 and 2 are, in order, the Envelope and its element children.
  const envelopeSpan = parsed.spans.find((s) => s.depth === 1)!
  const childSpans = parsed.spans.filter((s) => s.depth === 2)
  const headerSpan = header ? childSpans[children.indexOf(header)] : undefined
  const bodySpan = childSpans[children.indexOf(body)]!

  return {
    parsed,
    version: soapNs === SOAP11_NS ? '1.1' : '1.2',
    soapNs,
    envelope,
    header,
    body,
    bodyRoot: childElements(body)[0],
    spans: { envelope: envelopeSpan, header: headerSpan, body: bodySpan },
  }
}

function invalid(detail: string): AgentError {
  return new AgentError('ERR_SOAP_INVALID', `not a usable SOAP envelope: ${detail}`, { detail })
}
