/**
 * Exclusive XML Canonicalization 1.0 without comments (https://www.w3.org/TR/xml-exc-c14n/),
 * over a DOM subtree, with the InclusiveNamespaces PrefixList (§3) and an optional excluded node
 * (the enveloped-signature transform, XML-DSig §6.6.4).
 *
 * Written here rather than taken from xml-crypto because its version mutates the element when a
 * PrefixList is given, renders processing instructions as text and recurses once per level; this
 * one is iterative and leaves the DOM untouched.
 *
 * @module
 */

import { compareCodePoints, escapeAttr, escapeText } from './c14n-escape.js'

export { escapeAttr, escapeText }

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'
const XML_NS = 'http://www.w3.org/XML/1998/namespace'

const ELEMENT = 1
const TEXT = 3
const CDATA = 4
const PI = 7

/** Options of {@link canonicalize}. */
export interface C14nOptions {
  /** InclusiveNamespaces PrefixList; `#default` stands for the default namespace. */
  inclusivePrefixes?: readonly string[]
  /** A node left out with its subtree (the ds:Signature for the enveloped-signature transform). */
  exclude?: Node | null
}

type NsMap = Map<string, string> // prefix ('' = default) -> namespace URI

interface Frame {
  el: Element
  /** Namespaces in scope at this element (declared on it or an ancestor). */
  inScope: NsMap
  /** Namespaces as rendered by the nearest output ancestor. */
  rendered: NsMap
  childIndex: number
}

/**
 * Canonicalize `apex` and its descendants (exc-c14n, comments removed).
 *
 * @example
 * ```ts
 * const { root } = parseXml('<a:x xmlns:a="urn:a" xmlns:b="urn:b" z="1" y="2"/>')
 * canonicalize(root) // '<a:x xmlns:a="urn:a" y="2" z="1"></a:x>'
 * ```
 */
export function canonicalize(apex: Element, options: C14nOptions = {}): string {
  const inclusive = new Set((options.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p)))
  const exclude = options.exclude ?? null
  const out: string[] = []

  const apexScope = inScopeNamespaces(apex)
  const stack: Frame[] = []
  const open = (el: Element, parentScope: NsMap, rendered: NsMap): void => {
    const inScope = el === apex ? apexScope : withDeclarations(parentScope, el)
    const newRendered = renderStartTag(el, inScope, rendered, inclusive, out)
    stack.push({ el, inScope, rendered: newRendered, childIndex: 0 })
  }
  open(apex, apexScope, new Map())

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const children = frame.el.childNodes
    if (frame.childIndex >= children.length) {
      out.push('</', frame.el.nodeName, '>')
      stack.pop()
      continue
    }
    const child = children[frame.childIndex++]!
    if (child === exclude) continue
    switch (child.nodeType) {
      case ELEMENT:
        open(child as Element, frame.inScope, frame.rendered)
        break
      case TEXT:
      case CDATA:
        out.push(escapeText((child as CharacterData).data))
        break
      case PI: {
        const pi = child as ProcessingInstruction
        out.push('<?', pi.target, pi.data ? ' ' + pi.data : '', '?>')
        break
      }
      default:
        break // comments (and anything else) are not part of the output
    }
  }
  return out.join('')
}

/** The namespaces in scope at `el`, from its own and its ancestors' declarations. */
export function inScopeNamespaces(el: Element): NsMap {
  const chain: Element[] = []
  for (let n: Node | null = el; n && n.nodeType === ELEMENT; n = n.parentNode) chain.push(n as Element)
  let scope: NsMap = new Map()
  for (let i = chain.length - 1; i >= 0; i--) scope = withDeclarations(scope, chain[i]!)
  return scope
}

function withDeclarations(parent: NsMap, el: Element): NsMap {
  let scope: NsMap | null = null
  const attrs = el.attributes
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!
    if (a.namespaceURI !== XMLNS_NS) continue
    scope ??= new Map(parent)
    const prefix = a.prefix === 'xmlns' ? a.localName : ''
    scope.set(prefix, a.value)
  }
  return scope ?? parent
}

function renderStartTag(
  el: Element,
  inScope: NsMap,
  rendered: NsMap,
  inclusive: ReadonlySet<string>,
  out: string[],
): NsMap {
  // Visibly utilized prefixes (exc-c14n §3): the element's own, and those of its attributes.
  const utilized = new Set<string>([el.prefix ?? ''])
  const attrs: Attr[] = []
  const list = el.attributes
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!
    if (a.namespaceURI === XMLNS_NS) continue
    attrs.push(a)
    if (a.prefix && a.prefix !== 'xml') utilized.add(a.prefix)
  }
  for (const p of inclusive) if (inScope.has(p)) utilized.add(p)

  const decls: [string, string][] = []
  for (const prefix of utilized) {
    if (prefix === 'xml') continue // never declared (Canonical XML 1.0 §4.7, exc-c14n §3)
    const uri = inScope.get(prefix) ?? ''
    const already = rendered.get(prefix) ?? ''
    if (prefix === '') {
      // The default namespace: emit when it differs from what the output ancestor rendered,
      // including xmlns="" to undo an inherited default.
      if (uri !== already) decls.push(['', uri])
    } else if (uri !== '' && rendered.get(prefix) !== uri) {
      decls.push([prefix, uri])
    }
  }

  let next = rendered
  if (decls.length > 0) {
    next = new Map(rendered)
    decls.sort((a, b) => compareCodePoints(a[0], b[0]))
    for (const [p, u] of decls) next.set(p, u)
  }

  // Attributes sorted by namespace URI, then local name; unqualified ones (empty URI) first.
  attrs.sort((a, b) => compareCodePoints(a.namespaceURI ?? '', b.namespaceURI ?? '') || compareCodePoints(a.localName ?? a.name, b.localName ?? b.name))

  out.push('<', el.nodeName)
  for (const [p, u] of decls) out.push(p === '' ? ' xmlns="' : ` xmlns:${p}="`, escapeAttr(u), '"')
  for (const a of attrs) {
    const name = a.namespaceURI === XML_NS ? `xml:${a.localName}` : a.name
    out.push(' ', name, '="', escapeAttr(a.value), '"')
  }
  out.push('>')
  return next
}
