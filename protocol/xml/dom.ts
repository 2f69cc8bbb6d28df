/** Small DOM helpers shared by the codecs (namespace-aware, no XPath). */

const ELEMENT = 1

/** Element children of `parent`, optionally filtered by namespace URI and local name. */
export function childElements(parent: Node, ns?: string, localName?: string): Element[] {
  const out: Element[] = []
  const kids = parent.childNodes
  for (let i = 0; i < kids.length; i++) {
    const n = kids[i]!
    if (n.nodeType !== ELEMENT) continue
    const el = n as Element
    // xmldom 0.8 gives no-namespace elements `undefined`, not null: compare as ''.
    if (ns !== undefined && (el.namespaceURI ?? '') !== (ns ?? '')) continue
    if (localName !== undefined && el.localName !== localName) continue
    out.push(el)
  }
  return out
}

/** The single child element with that name, or undefined; more than one is an error for the caller. */
export function childElement(parent: Node, ns: string, localName: string): Element | undefined {
  return childElements(parent, ns, localName)[0]
}

/** Every descendant element with that name, in document order (iterative, no recursion). */
export function descendants(root: Node, ns: string, localName: string): Element[] {
  const out: Element[] = []
  const stack: Node[] = [root]
  while (stack.length > 0) {
    const n = stack.pop()!
    const kids = n.childNodes
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i]!
      if (k.nodeType !== ELEMENT) continue
      stack.push(k)
    }
    if (n !== root && n.nodeType === ELEMENT) {
      const el = n as Element
      if ((el.namespaceURI ?? '') === (ns ?? '') && el.localName === localName) out.push(el)
    }
  }
  return out
}

/** Concatenated text content, trimmed. */
export function textOf(el: Element | undefined): string {
  return (el?.textContent ?? '').trim()
}

/** True when `node` is `ancestor` or lies inside it. */
export function isInside(node: Node, ancestor: Node): boolean {
  for (let n: Node | null = node; n; n = n.parentNode) if (n === ancestor) return true
  return false
}
