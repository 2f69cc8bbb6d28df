import { DOMParser } from '@xmldom/xmldom'
import { AgentError } from '../rpc/errors.js'
import { DEFAULT_XML_LIMITS, scanXml, type ElementSpan, type XmlLimits } from './scan-xml.js'

/** A parsed document together with the spans of its top elements in the original text. */
export interface ParsedXml {
  text: string
  document: Document
  root: Element
  /** Elements at depth 1..spanDepth with their offsets in `text` (see scanXml). */
  spans: ElementSpan[]
}

/**
 * Parse untrusted XML: the lexical guard first (no DTD, size and depth limits), then the DOM.
 * Any parser complaint, even a warning, refuses the document: a signing agent must not guess
 * what a sloppy document meant.
 *
 * @example
 * ```ts
 * const { root } = parseXml('<a xmlns="urn:x"><b/></a>')
 * root.localName // 'a'
 * ```
 */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS, spanDepth = 2): ParsedXml {
  if (typeof text !== 'string' || text.length === 0) {
    throw new AgentError('ERR_XML_MALFORMED', 'the XML is empty')
  }
  const spans = scanXml(text, limits, spanDepth)
  const problems: string[] = []
  const onProblem = (msg: string): void => {
    problems.push(String(msg).split('\n')[0]!.replace(/^\[xmldom [a-z]+\]\s*/i, ''))
  }
  const parser = new DOMParser({
    locator: {},
    errorHandler: { warning: onProblem, error: onProblem, fatalError: onProblem },
  })
  let document: Document
  try {
    document = parser.parseFromString(text, 'application/xml') as unknown as Document
  } catch (err) {
    throw new AgentError('ERR_XML_MALFORMED', `the XML is not well-formed: ${describe(err)}`)
  }
  if (problems.length > 0) {
    throw new AgentError('ERR_XML_MALFORMED', `the XML is not well-formed: ${problems[0]}`)
  }
  if (document.doctype) throw new AgentError('ERR_XML_DTD_FORBIDDEN')
  const root = document.documentElement
  if (!root) throw new AgentError('ERR_XML_MALFORMED', 'the XML has no root element')
  return { text, document, root, spans }
}

function describe(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return msg.split('\n')[0]!.slice(0, 200)
}
