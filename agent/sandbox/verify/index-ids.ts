import { AgentError } from '../../../protocol/errors.js'

/**
 * The attribute local names that make an element the target of a `URI="#…"` reference for the
 * sandbox, in any namespace: WS-Security's `wsu:Id` (and a plain `Id`), SAML 2's `ID`, SAML 1.1's
 * `AssertionID` and SAML-P's `RequestID`/`ResponseID`. Every xml-crypto check here resolves
 * references by one of these (its `idAttributes` are set explicitly, never its default
 * `Id`/`ID`/`id`), so a value unique among them is unique for xml-crypto too.
 */
export const SANDBOX_ID_ATTRIBUTES: ReadonlySet<string> = new Set(['Id', 'ID', 'AssertionID', 'RequestID', 'ResponseID'])

const ELEMENT = 1

/**
 * Every id of the document and the element carrying it. Two elements with the same id refuse
 * the whole message (ERR_XML_DUPLICATE_ID): which one a reference means would then depend on
 * the implementation, which is exactly what signature-wrapping attacks use.
 */
export function indexDocumentIds(root: Node): Map<string, Element> {
  const index = new Map<string, Element>()
  const stack: Node[] = [root]
  while (stack.length > 0) {
    const node = stack.pop()!
    if (node.nodeType === ELEMENT) {
      const el = node as Element
      for (let i = 0; i < el.attributes.length; i++) {
        const attr = el.attributes[i]!
        if (attr.prefix === 'xmlns' || !SANDBOX_ID_ATTRIBUTES.has(attr.localName ?? attr.name)) continue
        const seen = index.get(attr.value)
        if (seen !== undefined && seen !== el) {
          throw new AgentError('ERR_XML_DUPLICATE_ID', `two elements carry the id "${attr.value.slice(0, 80)}"`)
        }
        index.set(attr.value, el)
      }
    }
    for (let child = node.lastChild; child; child = child.previousSibling) {
      if (child.nodeType === ELEMENT) stack.push(child)
    }
  }
  return index
}
