import { DOMImplementation } from '@xmldom/xmldom'
import { AgentError } from '../errors.js'
import {
  DEFAULT_XML_LIMITS,
  XMLNS_NS,
  decodeCharacterData,
  normalizeLineEnds,
  scanXmlEvents,
  spanOfStartTag,
  type ElementSpan,
  type ScanHandler,
  type StartTag,
  type XmlLimits,
} from './scan-xml.js'

/** A parsed document together with the spans of its top elements in the original text. */
export interface ParsedXml {
  text: string
  document: Document
  root: Element
  /** Elements at depth 1..spanDepth with their offsets in `text` (see scanXml). */
  spans: ElementSpan[]
}

/**
 * Parse untrusted XML into a DOM on one pass of the scanner (well-formed and
 * namespace-well-formed XML 1.0, no DTD, size and depth limits; see scanXmlEvents): the tree is
 * built from what the scanner read, with xmldom's node classes. xmldom's own parser is not used:
 * it reads CR LF as two line ends and mis-normalizes attribute values, which would give the
 * verifier a different canonical form than the signer's (libxml2's, Santuario's).
 *
 * @example
 * ```ts
 * const { root } = parseXml('<a xmlns="urn:x"><b/></a>')
 * root.localName // 'a'
 * ```
 */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS, spanDepth = 2): ParsedXml {
  const builder = new DomBuilder(text, spanDepth)
  scanXmlEvents(text, builder, limits)
  const root = builder.document.documentElement
  if (!root) throw new AgentError('ERR_XML_MALFORMED', 'the XML has no root element')
  return { text, document: builder.document, root, spans: builder.spans }
}

/** Builds the xmldom tree, and the spans of the top elements, from the scanner's events. */
class DomBuilder implements ScanHandler {
  readonly document: Document
  readonly spans: ElementSpan[] = []
  private readonly source: string
  private readonly spanDepth: number
  private readonly parents: Node[]
  private readonly open: (ElementSpan | null)[] = []

  constructor(text: string, spanDepth: number) {
    this.source = text
    this.spanDepth = spanDepth
    this.document = new DOMImplementation().createDocument(null, null as unknown as string, null) as unknown as Document
    this.parents = [this.document]
  }

  startElement(tag: StartTag): void {
    const el = this.document.createElementNS(tag.namespaceURI || null, tag.qname)
    for (const d of tag.declarations) el.setAttributeNS(XMLNS_NS, d.prefix ? `xmlns:${d.prefix}` : 'xmlns', d.uri)
    for (const a of tag.attributes) el.setAttributeNS(a.namespaceURI || null, a.qname, a.value)
    this.parents[this.parents.length - 1]!.appendChild(el)
    this.parents.push(el)
    if (tag.depth > this.spanDepth) return void this.open.push(null)
    const span = spanOfStartTag(tag)
    this.spans.push(span)
    this.open.push(span)
  }

  endElement(_qname: string, start: number, end: number): void {
    this.parents.pop()
    const span = this.open.pop()
    if (span) {
      span.endTagStart = start
      span.end = end
    }
  }

  text(start: number, end: number): void {
    this.append(this.document.createTextNode(decodeCharacterData(this.source, start, end)))
  }

  cdata(start: number, end: number): void {
    this.append(this.document.createCDATASection(normalizeLineEnds(this.source.slice(start + 9, end - 3))))
  }

  comment(start: number, end: number): void {
    this.append(this.document.createComment(normalizeLineEnds(this.source.slice(start + 4, end - 3))))
  }

  processingInstruction(_start: number, end: number, target: string, dataStart: number): void {
    this.append(this.document.createProcessingInstruction(target, normalizeLineEnds(this.source.slice(dataStart, end - 2))))
  }

  private append(node: Node): void {
    this.parents[this.parents.length - 1]!.appendChild(node)
  }
}
