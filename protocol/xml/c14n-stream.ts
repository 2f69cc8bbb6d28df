/**
 * Exclusive XML Canonicalization 1.0 without comments (https://www.w3.org/TR/xml-exc-c14n/) of
 * one element subtree, computed from the scanner's events while the document is being read: no
 * DOM, and no copy of what is already canonical.
 *
 * Most of a SOAP Body is its own canonical form: plain tags `<a>`/`</a>`, text with no CR, no `>`
 * and no reference but `&amp;` `&lt;` `&gt;`. Such stretches are taken as slices of the source
 * text; only what differs (tags with attributes or namespace declarations, `<x/>`, other
 * references, CR, CDATA, comments, PIs) is written out. The result is a short list of strings.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { compareCodePoints, escapeAttr, escapeText } from './c14n-escape.js'
import { DEFAULT_XML_LIMITS, decodeCharacterData, normalizeLineEnds, scanXmlEvents, type ScanHandler, type StartTag, type XmlAttribute, type XmlLimits } from './scan-xml.js'

/** An attribute added to the apex when its start tag is rendered (the wsu:Id a signer adds). */
export interface AddedAttribute {
  prefix: string
  localName: string
  namespaceURI: string
}

/** Options of {@link ExcC14nStream}. */
export interface C14nStreamOptions {
  /** InclusiveNamespaces PrefixList (exc-c14n §3); `#default` stands for the default namespace. */
  inclusivePrefixes?: readonly string[]
  /** An attribute the apex will carry in the signed document but not in the text being read. */
  addedAttribute?: AddedAttribute
}

/** Strings at least this long are kept as chunks of their own; shorter ones are joined. */
const CHUNK = 64 * 1024

/**
 * Canonicalizes the subtree of `apex`, fed with the scanner's events for the apex's descendants
 * (the handler that owns the scan forwards them, from just after the apex start tag to the apex
 * end tag). Call {@link ExcC14nStream.end} at the apex end tag, then {@link ExcC14nStream.parts}.
 *
 * @example
 * ```ts
 * // see canonicalizeElement for a complete use
 * const c14n = new ExcC14nStream(text, apexTag)
 * // ...forward startElement/endElement/text/cdata/comment/processingInstruction...
 * c14n.end(endTagStart)
 * const canonical = c14n.parts().join('')
 * ```
 */
export class ExcC14nStream implements ScanHandler {
  private readonly source: string
  private readonly inclusive: readonly string[]
  /** Prefix ('' = default) to URI as rendered by the nearest output ancestor, with an undo log. */
  private readonly rendered = new Map<string, string>()
  private readonly undoPrefix: string[] = []
  private readonly undoUri: (string | undefined)[] = []
  private readonly marks: number[] = []
  private readonly chunks: string[] = []
  private small: string[] = []
  private smallLength = 0
  /** Start of the source stretch that is being copied as is. */
  private run: number
  private readonly apexQname: string
  private readonly apexDeclarations: string
  private readonly apexAttributes: readonly XmlAttribute[]
  private readonly added: AddedAttribute | undefined
  private closed = false

  constructor(text: string, apex: StartTag, options: C14nStreamOptions = {}) {
    this.source = text
    this.inclusive = (options.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p))
    this.added = options.addedAttribute
    checkAbsoluteNamespaces(apex)
    this.apexQname = apex.qname
    const extra = this.added ? [{ prefix: this.added.prefix, namespaceURI: this.added.namespaceURI }] : []
    this.apexDeclarations = this.declare(apex, extra)
    this.apexAttributes = apex.attributes
    this.run = apex.end
  }

  startElement(tag: StartTag): void {
    if (tag.attributes.length === 0 && tag.declarations.length === 0 && this.inclusive.length === 0) {
      // The common case: a tag with no attributes whose namespace is already rendered.
      const { prefix, namespaceURI } = tag
      const renderedUri = this.rendered.get(prefix)
      const same = prefix === '' ? (renderedUri ?? '') === namespaceURI : prefix === 'xml' || renderedUri === namespaceURI
      if (same) {
        this.marks.push(this.undoPrefix.length)
        if (!tag.plain || tag.selfClosing) this.replace(tag.start, tag.end, `<${tag.qname}>`)
        return
      }
    }
    checkAbsoluteNamespaces(tag)
    const declarations = this.declare(tag, [])
    this.replace(tag.start, tag.end, `<${tag.qname}${declarations}${renderAttributes(tag.attributes)}>`)
  }

  endElement(qname: string, start: number, end: number, plain: boolean): void {
    if (!plain) this.replace(start, end, `</${qname}>`)
    const mark = this.marks.pop()!
    while (this.undoPrefix.length > mark) {
      const prefix = this.undoPrefix.pop()!
      const uri = this.undoUri.pop()
      if (uri === undefined) this.rendered.delete(prefix)
      else this.rendered.set(prefix, uri)
    }
  }

  text(start: number, end: number, canonical: boolean): void {
    if (!canonical) this.replace(start, end, escapeText(decodeCharacterData(this.source, start, end)))
  }

  cdata(start: number, end: number): void {
    this.replace(start, end, escapeText(normalizeLineEnds(this.source.slice(start + 9, end - 3))))
  }

  comment(start: number, end: number): void {
    this.replace(start, end, '')
  }

  processingInstruction(start: number, end: number, target: string, dataStart: number): void {
    const data = normalizeLineEnds(this.source.slice(dataStart, end - 2))
    this.replace(start, end, data ? `<?${target} ${data}?>` : `<?${target}?>`)
  }

  /** The apex end tag starts at `endTagStart` (for `<x/>`: at the start tag's end). */
  end(endTagStart: number): void {
    this.copyTo(endTagStart)
    this.flushSmall()
    this.closed = true
  }

  /**
   * The canonical form as a list of strings to concatenate (or to feed a hash one by one):
   * the apex start tag, its content, its end tag. `addedValue` is the value of the added attribute.
   */
  parts(addedValue?: string): string[] {
    if (!this.closed) throw new AgentError('ERR_INTERNAL', 'the canonical form was asked for before the end of the element')
    let attributes = this.apexAttributes
    if (this.added) {
      if (addedValue === undefined) throw new AgentError('ERR_INTERNAL', 'the value of the added attribute is missing')
      const { prefix, localName, namespaceURI } = this.added
      attributes = [...attributes, { qname: prefix ? `${prefix}:${localName}` : localName, prefix, localName, namespaceURI, value: addedValue }]
    }
    return [`<${this.apexQname}${this.apexDeclarations}${renderAttributes(attributes)}>`, ...this.chunks, `</${this.apexQname}>`]
  }

  /**
   * The namespace declarations `tag` renders (exc-c14n §3: the visibly utilized prefixes, plus the
   * PrefixList, that the nearest output ancestor did not render with the same URI), recorded as
   * rendered for its descendants. Always pushes an undo mark.
   */
  private declare(tag: StartTag, extra: readonly { prefix: string; namespaceURI: string }[]): string {
    this.marks.push(this.undoPrefix.length)
    // Prefix to URI, first use wins (a prefix means one URI on one element anyway).
    const utilized = new Map<string, string>([[tag.prefix, tag.namespaceURI]])
    for (const a of tag.attributes) if (a.prefix && !utilized.has(a.prefix)) utilized.set(a.prefix, a.namespaceURI)
    for (const e of extra) if (!utilized.has(e.prefix)) utilized.set(e.prefix, e.namespaceURI)
    for (const p of this.inclusive) {
      const uri = tag.lookupNamespace(p)
      if (uri !== undefined && !utilized.has(p)) utilized.set(p, uri)
    }
    const out: [string, string][] = []
    for (const [prefix, uri] of utilized) {
      if (prefix === 'xml') continue // never declared (Canonical XML 1.0 §4.7, exc-c14n §3)
      const current = this.rendered.get(prefix)
      if (prefix === '' ? uri === (current ?? '') : uri === current) continue
      out.push([prefix, uri])
      this.undoPrefix.push(prefix)
      this.undoUri.push(current)
      this.rendered.set(prefix, uri)
    }
    if (out.length === 0) return ''
    if (out.length > 1) out.sort((a, b) => compareCodePoints(a[0], b[0]))
    let s = ''
    for (const [p, u] of out) s += p === '' ? ` xmlns="${escapeAttr(u)}"` : ` xmlns:${p}="${escapeAttr(u)}"`
    return s
  }

  /** Output `replacement` instead of the source text from `start` to `end`. */
  private replace(start: number, end: number, replacement: string): void {
    this.copyTo(start)
    if (replacement) this.push(replacement)
    this.run = end
  }

  private copyTo(pos: number): void {
    if (pos > this.run) this.push(this.source.slice(this.run, pos))
    this.run = pos
  }

  private push(s: string): void {
    if (s.length >= CHUNK) {
      this.flushSmall()
      this.chunks.push(s)
      return
    }
    this.small.push(s)
    this.smallLength += s.length
    if (this.smallLength >= CHUNK) this.flushSmall()
  }

  private flushSmall(): void {
    if (this.small.length === 0) return
    this.chunks.push(this.small.length === 1 ? this.small[0]! : this.small.join(''))
    this.small = []
    this.smallLength = 0
  }
}

/**
 * Attributes sorted by namespace URI, then local name (Canonical XML 1.0 §2.2; unqualified ones,
 * with the empty URI, first), with values escaped (§2.3).
 */
function renderAttributes(attributes: readonly XmlAttribute[]): string {
  if (attributes.length === 0) return ''
  const sorted = attributes.length === 1 ? attributes : [...attributes].sort(compareAttributes)
  let s = ''
  for (const a of sorted) s += ` ${a.qname}="${escapeAttr(a.value)}"`
  return s
}

function compareAttributes(a: XmlAttribute, b: XmlAttribute): number {
  return compareCodePoints(a.namespaceURI, b.namespaceURI) || compareCodePoints(a.localName, b.localName)
}

/**
 * The characters a canonical namespace URI may hold: RFC 3986 §2 (unreserved, reserved and
 * percent-encoded), after a scheme (§3.1).
 */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/

/**
 * Canonical XML 1.0 §2 ("Data Model", on the XML Plenary decision): canonicalization fails on a
 * document with relative namespace URIs; libxml2 and Santuario refuse them, so a signature over
 * one could not be verified. Checked on the declarations inside the canonicalized subtree.
 */
function checkAbsoluteNamespaces(tag: StartTag): void {
  for (const d of tag.declarations) {
    if (d.uri !== '' && !ABSOLUTE_URI.test(d.uri)) {
      throw new AgentError(
        'ERR_XML_MALFORMED',
        `the namespace URI "${d.uri.slice(0, 80)}" is not an absolute URI: exclusive canonicalization refuses relative namespace URIs (Canonical XML 1.0 §2)`,
      )
    }
  }
}

/**
 * Exclusive c14n of the first element `select` picks in `text`, computed on one scan that also
 * checks the whole document is well-formed. Returns undefined when no element was picked.
 *
 * @example
 * ```ts
 * canonicalizeElement('<r xmlns:a="urn:a"><a:x z="1"  y="2"/></r>', (t) => t.localName === 'x')
 * // '<a:x xmlns:a="urn:a" y="2" z="1"></a:x>'
 * ```
 */
export function canonicalizeElement(
  text: string,
  select: (tag: StartTag) => boolean,
  options: Omit<C14nStreamOptions, 'addedAttribute'> & { limits?: XmlLimits } = {},
): string | undefined {
  let c14n: ExcC14nStream | undefined
  let level = 0 // elements open inside the apex
  let result: string | undefined
  scanXmlEvents(
    text,
    {
      startElement(tag) {
        if (c14n && result === undefined) {
          level++
          c14n.startElement(tag)
        } else if (!c14n && select(tag)) {
          c14n = new ExcC14nStream(text, tag, options)
        }
      },
      endElement(qname, start, end, plain) {
        if (!c14n || result !== undefined) return
        if (level === 0) {
          c14n.end(start)
          result = c14n.parts().join('')
        } else {
          level--
          c14n.endElement(qname, start, end, plain)
        }
      },
      text(start, end, canonical) {
        if (c14n && result === undefined) c14n.text(start, end, canonical)
      },
      cdata(start, end) {
        if (c14n && result === undefined) c14n.cdata(start, end)
      },
      comment(start, end) {
        if (c14n && result === undefined) c14n.comment(start, end)
      },
      processingInstruction(start, end, target, dataStart) {
        if (c14n && result === undefined) c14n.processingInstruction(start, end, target, dataStart)
      },
    },
    options.limits ?? DEFAULT_XML_LIMITS,
  )
  return result
}
