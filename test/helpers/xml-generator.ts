/**
 * Seeded generator of namespace-well-formed XML documents that exercise canonicalization:
 * namespaces redeclared and unused, default namespaces and xmlns="" undeclarations, attributes
 * in many namespaces, CDATA, comments, PIs, entity and character references, CRLF and lone CR,
 * non-ASCII, deep nesting, white space inside tags, attribute-value normalization, empty
 * elements. Documents are trees, so a failing one can be shrunk.
 */

/** mulberry32: a small seeded PRNG, so a case is reproduced from its seed alone. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface GenItem {
  /** `xmlns`, `xmlns:p` or an attribute name. */
  name: string
  /** The value as written between the quotes (references and literal white space included). */
  raw: string
  quote: '"' | "'"
  /** Space written before the name, and around `=`. */
  before: string
  eq: string
}

export type GenNode =
  | { kind: 'el'; name: string; items: GenItem[]; children: GenNode[]; selfClose: boolean; tagSpace: string; endSpace: string; apex?: boolean }
  | { kind: 'text'; raw: string }
  | { kind: 'cdata'; raw: string }
  | { kind: 'comment'; raw: string }
  | { kind: 'pi'; target: string; data: string }

export interface GenDoc {
  prolog: string
  root: GenNode & { kind: 'el' }
  epilog: string
  /** InclusiveNamespaces PrefixList for the apex, or empty. */
  inclusive: string[]
}

const URIS = ['urn:a', 'urn:b', 'http://example.com/ns/c', 'http://example.com/ns/%C3%A9', 'urn:x:y:z', 'urn:oasis:names:tc:SAML:1.0:assertion']
const PREFIXES = ['a', 'b', 'p', 'q', 'ns1', 'é', 'wsu', 'soap', 'x_y', 'z-1']
const LOCALS = ['e', 'item', 'Body', 'Id', 'value', 'é', '中文', 'a.b', 'x-y', '_u', 'Z9']
const ATTRS = ['id', 'a', 'b', 'Id', 'z', 'é', 'lang', 'type', 'v-1', 'ZZ']
const TEXT_BITS = [
  'plain text', ' ', '\n', '\r\n', '\r', '\t', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '>', '"', "'", ']]', ']',
  '&#13;', '&#xD;', '&#10;', '&#9;', '&#x20AC;', '&#128512;', '&#x10FFFF;', '&#65;', 'é', '中文', '😀', '\u00a0', '\u2028', '\u0085', '\ufffd', '\ue000', 'a > b', 'x  y',
]
const ATTR_BITS = [
  'v', ' ', '  ', '\t', '\n', '\r\n', '\r', '&#9;', '&#10;', '&#13;', '&#x20;', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '>', 'é', '😀', '&#128512;', '%20', 'a=b', '\u0085',
]

/** A document from `seed`; about one in eight is deeply nested. */
export function generateDocument(seed: number): GenDoc {
  const r = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  const chance = (p: number): boolean => r() < p
  const deep = chance(0.12)
  const maxDepth = deep ? 30 + Math.floor(r() * 40) : 2 + Math.floor(r() * 5)
  let budget = deep ? 120 : 8 + Math.floor(r() * 40)
  const elements: (GenNode & { kind: 'el' })[] = []

  const space = (): string => (chance(0.7) ? ' ' : pick([' ', '  ', '\n', '\t', '\r\n', ' \n ']))
  const eq = (): string => (chance(0.8) ? '=' : pick([' =', '= ', ' = ', '\n=\t']))

  function quoted(raw: string): { raw: string; quote: '"' | "'" } {
    const quote = chance(0.7) ? '"' : "'"
    return { raw: raw.split(quote).join(quote === '"' ? '&quot;' : '&apos;'), quote }
  }

  function attrValue(): string {
    let s = ''
    const n = Math.floor(r() * 5)
    for (let i = 0; i < n; i++) s += pick(ATTR_BITS)
    return s
  }

  function text(): string {
    let s = ''
    const n = 1 + Math.floor(r() * 4)
    for (let i = 0; i < n; i++) s += pick(TEXT_BITS)
    return s
  }

  function element(depth: number, scope: Map<string, string>, defaultNs: string): GenNode & { kind: 'el' } {
    budget--
    const items: GenItem[] = []
    const local = new Map(scope)
    let dflt = defaultNs
    // Namespace declarations: new prefixes, redeclared ones, unused ones, default and xmlns="".
    const nDecl = chance(0.5) ? Math.floor(r() * 3) + 1 : 0
    const declared = new Set<string>()
    for (let i = 0; i < nDecl; i++) {
      if (chance(0.25)) {
        if (declared.has('')) continue
        declared.add('')
        const uri = chance(0.25) ? '' : pick(URIS)
        items.push({ name: 'xmlns', ...quoted(uri), before: space(), eq: eq() })
        dflt = uri
      } else {
        const p = pick(PREFIXES)
        if (declared.has(p)) continue
        declared.add(p)
        const uri = pick(URIS)
        items.push({ name: `xmlns:${p}`, ...quoted(uri), before: space(), eq: eq() })
        local.set(p, uri)
      }
    }
    const bound = [...local.keys()]
    const usePrefix = bound.length > 0 && chance(0.55)
    const name = usePrefix ? `${pick(bound)}:${pick(LOCALS)}` : pick(LOCALS)
    // Attributes: unqualified, qualified in several namespaces, xml:*; expanded names unique.
    const expanded = new Set<string>()
    const nAttr = chance(0.6) ? Math.floor(r() * 5) : 0
    for (let i = 0; i < nAttr; i++) {
      let attrName: string
      let key: string
      const kind = r()
      if (kind < 0.45 || bound.length === 0) {
        attrName = pick(ATTRS)
        key = `{}${attrName}`
      } else if (kind < 0.55) {
        attrName = `xml:${pick(['lang', 'space', 'id', 'base'])}`
        key = `{xml}${attrName}`
      } else {
        const p = pick(bound)
        const l = pick(ATTRS)
        attrName = `${p}:${l}`
        key = `{${local.get(p)}}${l}`
      }
      if (expanded.has(key)) continue
      expanded.add(key)
      let raw = attrValue()
      if (attrName === 'xml:space') raw = pick(['preserve', 'default'])
      if (attrName === 'xml:id') raw = `id${Math.floor(r() * 1e6)}`
      items.push({ name: attrName, ...quoted(raw), before: space(), eq: eq() })
    }
    // Shuffle declarations among attributes: their order in the tag must not matter.
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1))
      ;[items[i], items[j]] = [items[j]!, items[i]!]
    }
    const el: GenNode & { kind: 'el' } = {
      kind: 'el',
      name,
      items,
      children: [],
      selfClose: false,
      tagSpace: chance(0.15) ? pick([' ', '\n', '\t ']) : '',
      endSpace: chance(0.1) ? pick([' ', '\n']) : '',
    }
    elements.push(el)
    const nKids = depth >= maxDepth || budget <= 0 ? 0 : deep ? 1 + Math.floor(r() * 2) : Math.floor(r() * 5)
    if (nKids === 0 && chance(0.5)) {
      el.selfClose = true
      return el
    }
    for (let i = 0; i < nKids && budget > 0; i++) {
      const k = r()
      if (k < 0.45) el.children.push(element(depth + 1, local, dflt))
      else if (k < 0.75) el.children.push({ kind: 'text', raw: text() })
      else if (k < 0.85) el.children.push({ kind: 'cdata', raw: pick(['', '<x>&amp;</x>', ']] >', 'a\r\nb\rc', '&#13;', ' ] ]> ', '😀<>']) })
      else if (k < 0.93) el.children.push({ kind: 'comment', raw: pick(['', ' c ', 'a-b', '<x/>', '\r\n']) })
      else el.children.push({ kind: 'pi', target: pick(['pi', 'x-y', 'é', 'xml-stylesheet']), data: pick(['', 'data', ' lead', 'a\r\nb', 'trail  ', '?', '<&>']) })
    }
    return el
  }

  const root = element(1, new Map(), '')
  const apex = elements[Math.floor(r() * elements.length)]!
  apex.apex = true
  const prolog = (chance(0.4) ? `<?xml version="1.0"${chance(0.5) ? ' encoding="UTF-8"' : ''}?>` : '') + (chance(0.3) ? '\n<!-- before -->\n<?p q?>\n' : '')
  const epilog = chance(0.3) ? '\n<!-- after -->' : ''
  // Not '#default': lxml passes only names found in the document's dictionary to libxml2, so
  // it drops '#default' (libxml2 itself, and xmlsec1, honour it; the unit tests cover it).
  const inclusive = chance(0.2) ? [pick(PREFIXES)] : []
  return { prolog, root, epilog, inclusive }
}

/** The document's text and the index (in document order) of the apex element. */
export function serialize(doc: GenDoc): { xml: string; apexIndex: number } {
  let index = -1
  let apexIndex = -1
  const out: string[] = [doc.prolog]
  const write = (n: GenNode): void => {
    switch (n.kind) {
      case 'text':
        return void out.push(n.raw)
      case 'cdata':
        return void out.push(`<![CDATA[${n.raw}]]>`)
      case 'comment':
        return void out.push(`<!--${n.raw}-->`)
      case 'pi':
        return void out.push(`<?${n.target}${n.data ? ' ' + n.data : ''}?>`)
      case 'el': {
        index++
        if (n.apex) apexIndex = index
        out.push(`<${n.name}`)
        for (const it of n.items) out.push(`${it.before}${it.name}${it.eq}${it.quote}${it.raw}${it.quote}`)
        out.push(n.tagSpace)
        if (n.selfClose && n.children.length === 0) return void out.push('/>')
        out.push('>')
        for (const k of n.children) write(k)
        out.push(`</${n.name}${n.endSpace}>`)
      }
    }
  }
  write(doc.root)
  out.push(doc.epilog)
  return { xml: out.join(''), apexIndex }
}

/**
 * Documents one step smaller than `doc`: a child removed (never the apex or one of its
 * ancestors), an attribute or declaration removed, a text shortened, the PrefixList dropped.
 * Some are not namespace-well-formed any more; the caller keeps only those that still fail.
 */
export function shrinkSteps(doc: GenDoc): GenDoc[] {
  const out: GenDoc[] = []
  const paths: number[][] = []
  const walk = (n: GenNode, path: number[]): void => {
    paths.push(path)
    if (n.kind === 'el') n.children.forEach((k, i) => walk(k, [...path, i]))
  }
  walk(doc.root, [])
  const at = (d: GenDoc, path: number[]): GenNode => path.reduce<GenNode>((n, i) => (n as { children: GenNode[] }).children[i]!, d.root)
  const containsApex = (n: GenNode): boolean => n.kind === 'el' && (n.apex === true || n.children.some(containsApex))
  for (const path of paths) {
    const node = at(doc, path)
    if (path.length > 0 && !containsApex(node)) {
      const copy = structuredClone(doc)
      ;(at(copy, path.slice(0, -1)) as { children: GenNode[] }).children.splice(path[path.length - 1]!, 1)
      out.push(copy)
    }
    if (node.kind === 'el') {
      node.items.forEach((_, i) => {
        const copy = structuredClone(doc)
        ;(at(copy, path) as { items: GenItem[] }).items.splice(i, 1)
        out.push(copy)
      })
      if (node.tagSpace || node.endSpace) {
        const copy = structuredClone(doc)
        Object.assign(at(copy, path), { tagSpace: '', endSpace: '' })
        out.push(copy)
      }
    }
    if ((node.kind === 'text' || node.kind === 'cdata' || node.kind === 'comment') && node.raw.length > 1) {
      for (const half of [node.raw.slice(0, node.raw.length >> 1), node.raw.slice(node.raw.length >> 1)]) {
        const copy = structuredClone(doc)
        ;(at(copy, path) as { raw: string }).raw = half
        out.push(copy)
      }
    }
  }
  if (doc.inclusive.length) out.push({ ...structuredClone(doc), inclusive: [] })
  if (doc.prolog || doc.epilog) out.push({ ...structuredClone(doc), prolog: '', epilog: '' })
  return out
}
