import { AgentError } from '../errors.js'

const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

/**
 * The attributes that name an element for a same-document reference (`URI="#x"`): WS-Security's
 * `wsu:Id` and plain `Id` (matched on local name, whatever the namespace), SAML 1.1's
 * `AssertionID`, SAML-P's `RequestID`/`ResponseID` and SAML 2's `ID`; and `xml:id` (xml:id 1.0),
 * which libxml2 registers as an id on every parse. All of them share one space of values: a
 * verifier that knows only some of them must still find exactly one element for each value.
 */
export const ID_ATTRIBUTES = ['Id', 'ID', 'AssertionID', 'RequestID', 'ResponseID'] as const

const ID_SET: ReadonlySet<string> = new Set(ID_ATTRIBUTES)
const ELEMENT = 1

/** True when an attribute with this namespace URI ('' for none) and local name is an id. */
export function isIdAttribute(namespaceURI: string, localName: string): boolean {
  if (namespaceURI === XML_NS) return localName === 'id'
  return ID_SET.has(localName) && namespaceURI !== XMLNS_NS
}

/**
 * Index every id in the document. Two elements with the same id refuse the whole document:
 * with duplicates, which one a reference means depends on the implementation, and that
 * ambiguity is exactly what signature-wrapping attacks use.
 */
export function indexIds(root: Node): Map<string, Element> {
  const index = new Map<string, Element>()
  const stack: Node[] = [root]
  while (stack.length > 0) {
    const n = stack.pop()!
    if (n.nodeType === ELEMENT) {
      const el = n as Element
      const attrs = el.attributes
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs[i]!
        if (!isIdAttribute(a.namespaceURI ?? '', a.localName ?? a.name)) continue
        const prev = index.get(a.value)
        if (prev !== undefined && prev !== el) throw duplicateId(a.value)
        index.set(a.value, el)
      }
    }
    const kids = n.childNodes
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i]!
      if (k.nodeType === ELEMENT) stack.push(k)
    }
  }
  return index
}

/** ERR_XML_DUPLICATE_ID for `id`. */
export function duplicateId(id: string): AgentError {
  return new AgentError('ERR_XML_DUPLICATE_ID', `two elements carry the id "${id.slice(0, 80)}"`)
}
