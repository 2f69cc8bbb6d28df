/**
 * The text of one element as a standalone document, taken from the text it was parsed from.
 *
 * The STS signs the assertion it returns; the agent later copies it into every WS-Security header
 * and into the Renew request. Re-serializing a DOM would be correct only as far as the serializer
 * is, so the element's own characters are kept (the signature covers these exact characters once
 * canonicalized; EG loads it with PreserveWhitespace for the same reason). The only change: when
 * the subtree relies on a namespace declared on an ancestor (e.g. `saml:` declared on the RSTR),
 * that declaration is added to its start tag. "Relies on" means a prefix (or the default namespace)
 * used by an element or attribute name, named in an exc-c14n InclusiveNamespaces PrefixList, or
 * used in an `xsi:type` QName, and not declared inside the subtree. Exclusive c14n of the element
 * renders exactly those namespaces from outside, so its output, and the STS signature over it, is
 * unchanged; unused ancestor declarations (the RSTR's `xmlns:wst`) are not copied, so the common
 * case is the exact substring.
 *
 * @module
 */
import { XMLSerializer } from '@xmldom/xmldom'
import { AgentError } from '../errors.js'
import { escapeAttr, inScopeNamespaces } from './c14n.js'
import { parseXml } from './parse-xml.js'
import { DEFAULT_XML_LIMITS, scanXml, type ElementSpan } from './scan-xml.js'

const ELEMENT = 1
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
const EXC_C14N_NS = 'http://www.w3.org/2001/10/xml-exc-c14n#'

/**
 * `element` as self-contained XML text.
 *
 * With `documentText` (the exact text `element`'s document was parsed from): the verbatim
 * substring from its start tag to its end tag, plus the outside namespace declarations it relies
 * on. Without it, a fallback: xmldom's serialization, plus the same declarations; equal under
 * exc-c14n, but not byte-identical; callers that can should pass the text.
 *
 * @throws AgentError `ERR_INTERNAL` when `documentText` is not the text of `element`'s document.
 *
 * @example
 * ```ts
 * const text = '<r xmlns:s="urn:s"><s:a x="1"><s:b/></s:a></r>'
 * const { root } = parseXml(text)
 * extractElementText(root.firstChild as Element, text) // '<s:a xmlns:s="urn:s" x="1"><s:b/></s:a>'
 * ```
 */
export function extractElementText(element: Element, documentText?: string): string {
  const inherited = inScopeNamespaces(element)
  if (documentText === undefined) {
    const serialized = new XMLSerializer().serializeToString(element as unknown as Node)
    const { root, spans } = parseXml(serialized, DEFAULT_XML_LIMITS, 1)
    return withDeclarations(serialized, spans[0]!, root, inherited)
  }
  const span = findSpan(element, documentText)
  return withDeclarations(documentText.slice(span.start, span.end), { ...span, start: 0 }, element, inherited)
}

/** The span of `element` in `text`: its index among elements at depth <= its depth, in document order. */
function findSpan(element: Element, text: string): ElementSpan {
  let depth = 0
  for (let n: Node | null = element; n && n.nodeType === ELEMENT; n = n.parentNode) depth++
  const root = element.ownerDocument?.documentElement
  if (!root) throw notFromText()

  let index = -1
  let found = false
  const stack: [Node, number][] = [[root, 1]]
  while (stack.length > 0) {
    const [node, d] = stack.pop()!
    index++
    if (node === element) {
      found = true
      break
    }
    if (d === depth) continue
    const kids = node.childNodes
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i]!.nodeType === ELEMENT) stack.push([kids[i]!, d + 1])
  }
  if (!found) throw notFromText()
  const spans = scanXml(text, { ...DEFAULT_XML_LIMITS, maxLength: Math.max(DEFAULT_XML_LIMITS.maxLength, text.length) }, depth)
  const span = spans[index]
  if (!span || span.depth !== depth || span.qname !== element.nodeName) throw notFromText()
  return span
}

/** Insert into the start tag at `span` the outside declarations the subtree of `element` relies on. */
function withDeclarations(text: string, span: ElementSpan, element: Element, inherited: Map<string, string>): string {
  const missing = [...outsidePrefixes(element)]
    .map((prefix): [string, string] => [prefix, inherited.get(prefix) ?? ''])
    .filter(([prefix, uri]) => uri !== '' && prefix !== 'xml')
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  if (missing.length === 0) return text
  const decls = missing.map(([p, u]) => (p === '' ? ` xmlns="${escapeAttr(u)}"` : ` xmlns:${p}="${escapeAttr(u)}"`)).join('')
  const at = span.start + 1 + span.qname.length
  return text.slice(0, at) + decls + text.slice(at)
}

/** Prefixes ('' = default namespace) the subtree uses without declaring them itself. */
function outsidePrefixes(apex: Element): Set<string> {
  const needed = new Set<string>()
  const stack: [Element, ReadonlySet<string>][] = [[apex, new Set()]]
  while (stack.length > 0) {
    const [el, outer] = stack.pop()!
    let declared: Set<string> | null = null
    const used: string[] = [el.prefix ?? '']
    const attrs = el.attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      if (a.namespaceURI === XMLNS_NS) {
        declared ??= new Set(outer)
        declared.add(a.prefix === 'xmlns' ? a.localName! : '')
      } else {
        if (a.prefix) used.push(a.prefix)
        // QName in content: xsi:type="xs:string" needs xs bound (an unprefixed one, the default).
        if (a.namespaceURI === XSI_NS && a.localName === 'type') used.push(a.value.includes(':') ? a.value.split(':')[0]! : '')
      }
    }
    if (el.namespaceURI === EXC_C14N_NS && el.localName === 'InclusiveNamespaces') {
      for (const p of (el.getAttribute('PrefixList') ?? '').split(/\s+/)) if (p) used.push(p === '#default' ? '' : p)
    }
    const scope = declared ?? outer
    for (const p of used) if (!scope.has(p)) needed.add(p)
    const kids = el.childNodes
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i]!.nodeType === ELEMENT) stack.push([kids[i] as Element, scope])
  }
  return needed
}

function notFromText(): AgentError {
  return new AgentError('ERR_INTERNAL', 'the element was not parsed from the given text')
}
