import { AgentError } from '../errors.js'

/**
 * The attributes that name an element for a same-document reference (`URI="#x"`): WS-Security's
 * `wsu:Id` and plain `Id` (matched on local name, whatever the namespace), SAML 1.1's
 * `AssertionID`, SAML-P's `RequestID`/`ResponseID` and SAML 2's `ID`.
 */
export const ID_ATTRIBUTES = ['Id', 'ID', 'AssertionID', 'RequestID', 'ResponseID'] as const

const ELEMENT = 1
const ID_SET: ReadonlySet<string> = new Set(ID_ATTRIBUTES)

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
        if (!ID_SET.has(a.localName ?? a.name) || a.prefix === 'xmlns') continue
        const prev = index.get(a.value)
        if (prev !== undefined && prev !== el) {
          throw new AgentError('ERR_XML_DUPLICATE_ID', `two elements carry the id "${a.value.slice(0, 80)}"`)
        }
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
