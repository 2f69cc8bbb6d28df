import { DOMParser } from '@xmldom/xmldom'
import { AgentError } from '../errors.js'
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
  // XML 1.0 §2.2: U+0000 is not an XML character at all; xmldom would keep it.
  if (text.includes('\u0000')) throw new AgentError('ERR_XML_MALFORMED', 'the XML is not well-formed: it contains a NUL character')
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
  checkDocumentLevel(document)
  checkNamespaces(root)
  return { text, document, root, spans }
}

/** Only comments, PIs and whitespace may stand beside the root element (XML 1.0 §2.1 [1]). */
function checkDocumentLevel(document: Document): void {
  const kids = document.childNodes
  for (let i = 0; i < kids.length; i++) {
    const n = kids[i]!
    if ((n.nodeType === TEXT || n.nodeType === CDATA) && /\S/.test((n as CharacterData).data)) {
      throw new AgentError('ERR_XML_MALFORMED', 'the XML is not well-formed: text outside the root element')
    }
  }
}

/**
 * Namespaces in XML 1.0 well-formedness, which xmldom 0.8 does not enforce: every prefix is
 * declared (§5 NSC "Prefix Declared"), and no element has two attributes with the same expanded
 * name (§6.3). One iterative walk; a refused document never reaches c14n or a signature check.
 */
function checkNamespaces(root: Element): void {
  const stack: Node[] = [root]
  while (stack.length > 0) {
    const el = stack.pop() as Element
    if (el.prefix && !el.namespaceURI) throw undeclared(el.prefix)
    const attrs = el.attributes
    let names: Set<string> | undefined
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      if (!a.prefix || a.prefix === 'xmlns') continue
      if (!a.namespaceURI) throw undeclared(a.prefix)
      names ??= new Set()
      const expanded = `{${a.namespaceURI}}${a.localName}`
      if (names.has(expanded)) throw new AgentError('ERR_XML_MALFORMED', `the XML is not well-formed: duplicate attribute ${expanded.slice(0, 120)}`)
      names.add(expanded)
    }
    const kids = el.childNodes
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i]!.nodeType === ELEMENT) stack.push(kids[i]!)
  }
}

function undeclared(prefix: string): AgentError {
  return new AgentError('ERR_XML_MALFORMED', `the XML is not well-formed: the prefix "${prefix.slice(0, 40)}" is not declared`)
}

const ELEMENT = 1
const TEXT = 3
const CDATA = 4

function describe(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return msg.split('\n')[0]!.slice(0, 200)
}
