/**
 * The one lexical pass over untrusted XML text: a well-formedness checker for XML 1.0 (Fifth
 * Edition) and Namespaces in XML 1.0 (Third Edition) that reports what it reads as events, so that
 * splitting a SOAP envelope, indexing ids and canonicalizing the Body happen on this same pass
 * with no DOM.
 *
 * What it refuses: anything XML 1.0 calls not well-formed for a document without a DTD; a DTD
 * itself (SOAP 1.1 §3 and SOAP 1.2 part 1 §5 forbid one; this also rules out XXE and entity
 * expansion); any entity reference but the five predefined ones (WFC: Entity Declared, §4.1); a
 * version other than 1.0 and an encoding other than UTF-8 in the XML declaration (the text it
 * reads is already characters and is signed and returned as UTF-8, §4.3.3); anything that is not
 * namespace-well-formed. And the size and depth limits, before any recursion can happen.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { firstInvalidChar, isNameHighSurrogate, isNameStartUnit, isNameUnit, isXmlCodePoint } from '../xsd/xml-char.js'

/** Limits applied while scanning. */
export interface XmlLimits {
  /** Maximum length of the text, in UTF-16 code units (≈ bytes for the ASCII-heavy SOAP we see). */
  maxLength: number
  /** Maximum element nesting depth. */
  maxDepth: number
}

export const DEFAULT_XML_LIMITS = {
  maxLength: 64 * 1024 * 1024,
  maxDepth: 256,
} as const satisfies XmlLimits

export const XML_NS = 'http://www.w3.org/XML/1998/namespace'
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

/** One attribute of a start tag, namespace declarations excluded. */
export interface XmlAttribute {
  /** Name as written, e.g. `wsu:Id`. */
  qname: string
  /** '' when unprefixed. */
  prefix: string
  localName: string
  /** '' when unprefixed: a default namespace does not apply to attributes (Namespaces §6.2). */
  namespaceURI: string
  /** The normalized value (XML 1.0 §3.3.3; every attribute is CDATA without a DTD). */
  value: string
}

/** A namespace declaration on a start tag; prefix '' is the default namespace (uri '' undoes it). */
export interface NamespaceDeclaration {
  prefix: string
  uri: string
}

/**
 * A start tag, as a handler sees it. The scanner reuses this object for the next tag: copy what
 * you keep (the arrays in it are not reused and may be kept).
 */
export interface StartTag {
  /** Offset of `<`. */
  start: number
  /** Offset just after `>` (or `/>`). */
  end: number
  /** 1 for the root element. */
  depth: number
  qname: string
  prefix: string
  localName: string
  /** '' when the element is in no namespace. */
  namespaceURI: string
  selfClosing: boolean
  /** True when the tag is written exactly `<qname>` or `<qname/>`: no attribute, no space. */
  plain: boolean
  attributes: readonly XmlAttribute[]
  declarations: readonly NamespaceDeclaration[]
  /** The namespace bound to `prefix` at this element ('' = the default), undefined when none. */
  lookupNamespace(prefix: string): string | undefined
}

/** What the scanner reports. Content events are optional; element events are not. */
export interface ScanHandler {
  startElement(tag: StartTag): void
  /**
   * End of the element opened by the last unmatched startElement. For `<x/>` it follows the
   * start at once, with `start === end` (the tag's end) and `plain` false.
   */
  endElement(qname: string, start: number, end: number, plain: boolean): void
  /**
   * Character data between markup inside the root element, `text.slice(start, end)` as written
   * (references and line breaks not yet resolved). `canonical` is true when that raw text is
   * already its own exclusive-c14n form: no CR, no `>`, no reference but `&amp;` `&lt;` `&gt;`.
   */
  text?(start: number, end: number, canonical: boolean): void
  /** A CDATA section from `<![CDATA[` to just after `]]>`. */
  cdata?(start: number, end: number): void
  /** A comment from `<!--` to just after `-->`. */
  comment?(start: number, end: number): void
  /** A processing instruction from `<?` to just after `?>`; its data is `text.slice(dataStart, end - 2)`. */
  processingInstruction?(start: number, end: number, target: string, dataStart: number): void
}

/** Where one element sits in the original text: offsets of its start and end tags. */
export interface ElementSpan {
  /** Qualified name as written (`soap:Body`). */
  qname: string
  depth: number
  /** Offset of `<` of the start tag. */
  start: number
  /** Offset just after `>` of the start tag. */
  startTagEnd: number
  /** Offset of `<` of the end tag (equal to `startTagEnd` for `<x/>`). */
  endTagStart: number
  /** Offset just after `>` of the end tag (or of `/>`). */
  end: number
  selfClosing: boolean
}

/**
 * The span of an element whose start tag was just read: its end tag is not known yet, so its end
 * offsets start at the start tag's end (right for `<x/>`) and are moved when the end tag comes.
 */
export function spanOfStartTag(tag: StartTag): ElementSpan {
  return { qname: tag.qname, depth: tag.depth, start: tag.start, startTagEnd: tag.end, endTagStart: tag.end, end: tag.end, selfClosing: tag.selfClosing }
}

/**
 * Check that `text` is a well-formed, namespace-well-formed XML document within `limits`, and
 * return the spans of its elements at depth 1..`spanDepth` in document order: what a splice
 * needs to insert a header into the caller's original text without re-serializing it.
 *
 * @throws AgentError ERR_XML_MALFORMED, ERR_XML_DTD_FORBIDDEN, ERR_XML_TOO_LARGE, ERR_XML_TOO_DEEP
 *
 * @example
 * ```ts
 * scanXml('<a><b/></a>') // [{ qname: 'a', depth: 1, start: 0, ... }, { qname: 'b', depth: 2, ... }]
 * ```
 */
export function scanXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS, spanDepth = 2): ElementSpan[] {
  const spans: ElementSpan[] = []
  const open: (ElementSpan | null)[] = []
  scanXmlEvents(text, {
    startElement(tag) {
      if (tag.depth > spanDepth) return void open.push(null)
      const span = spanOfStartTag(tag)
      spans.push(span)
      open.push(span)
    },
    endElement(_qname, start, end) {
      const span = open.pop()
      if (span) {
        span.endTagStart = start
        span.end = end
      }
    },
  }, limits)
  return spans
}

/**
 * Scan `text` once, reporting its elements and content to `handler` in document order, and
 * refuse it at the first point where it stops being well-formed (see the module comment).
 * A handler may throw to stop the scan.
 *
 * @example
 * ```ts
 * let n = 0
 * scanXmlEvents('<a><b/><b/></a>', { startElement: () => n++, endElement: () => {} }) // n === 3
 * ```
 */
export function scanXmlEvents(text: string, handler: ScanHandler, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  if (typeof text !== 'string' || text.length === 0) throw new AgentError('ERR_XML_MALFORMED', 'the XML is empty')
  if (text.length > limits.maxLength) {
    throw new AgentError('ERR_XML_TOO_LARGE', `the XML is ${text.length} characters long; the limit is ${limits.maxLength}`, {
      limit: limits.maxLength,
    })
  }
  const bad = firstInvalidChar(text)
  if (bad !== -1) {
    const code = text.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0')
    throw malformed(`U+${code} is not an XML character (XML 1.0 §2.2)`, bad)
  }
  new Scanner(text, handler, limits).run()
}

const EMPTY: readonly never[] = Object.freeze([])

const LT = 0x3c
const GT = 0x3e
const AMP = 0x26
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const EQ = 0x3d
const QUOT = 0x22
const APOS = 0x27
const COLON = 0x3a
const SEMI = 0x3b
const HASH = 0x23
const RBRACKET = 0x5d

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d
}

interface QName {
  qname: string
  prefix: string
  localName: string
  /** Where the name was first read in the text. */
  at: number
}

class Tag implements StartTag {
  start = 0
  end = 0
  depth = 0
  qname = ''
  prefix = ''
  localName = ''
  namespaceURI = ''
  selfClosing = false
  plain = true
  attributes: readonly XmlAttribute[] = EMPTY
  declarations: readonly NamespaceDeclaration[] = EMPTY
  private readonly scope: Map<string, string>
  constructor(scope: Map<string, string>) {
    this.scope = scope
  }
  lookupNamespace(prefix: string): string | undefined {
    const uri = this.scope.get(prefix)
    return uri === '' ? undefined : uri
  }
}

class Scanner {
  private readonly n: number
  /** In-scope namespace bindings, prefix ('' = default) to URI ('' = none), with an undo log. */
  private readonly scope = new Map<string, string>([['xml', XML_NS]])
  private readonly undoPrefix: string[] = []
  private readonly undoUri: (string | undefined)[] = []
  private readonly names: string[] = []
  /** Where each open element's name starts in the text: end tags are compared with it there. */
  private readonly nameAt: number[] = []
  private readonly marks: number[] = []
  private readonly tag: Tag
  private readonly wantsText: boolean
  // Next occurrence at or after the current text run, or n: each is searched once per hit.
  private nextAmp = -1
  private nextGt = -1
  private nextCr = -1
  // Set by readName: the first colon of the last name read (-1 when none) and how many.
  private colonAt = -1
  private colons = 0
  private readonly nameCache: (QName | undefined)[] = new Array<QName | undefined>(64).fill(undefined)
  // Raw attributes of the tag being read.
  private readonly aStart: number[] = []
  private readonly aEnd: number[] = []
  private readonly aColon: number[] = []
  private readonly vStart: number[] = []
  private readonly vEnd: number[] = []
  private readonly vPlain: boolean[] = []

  private readonly text: string
  private readonly handler: ScanHandler
  private readonly limits: XmlLimits

  constructor(text: string, handler: ScanHandler, limits: XmlLimits) {
    this.text = text
    this.handler = handler
    this.limits = limits
    this.n = text.length
    this.tag = new Tag(this.scope)
    this.wantsText = handler.text !== undefined
  }

  run(): void {
    const text = this.text
    const n = this.n
    let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0 // a byte order mark that survived decoding
    if (text.startsWith('<?xml', pos) && (isSpace(text.charCodeAt(pos + 5)) || text.charCodeAt(pos + 5) === QUESTION)) {
      pos = this.readXmlDeclaration(pos)
    }
    let seenRoot = false
    for (;;) {
      const depth = this.names.length
      let lt = text.indexOf('<', pos)
      if (lt === -1) lt = n
      if (lt > pos) {
        if (depth === 0) this.checkOutsideText(pos, lt)
        else this.readText(pos, lt)
      }
      if (lt === n) break
      const c = text.charCodeAt(lt + 1)
      if (c === SLASH) {
        pos = this.readEndTag(lt)
      } else if (c === BANG) {
        pos = this.readBang(lt, depth)
      } else if (c === QUESTION) {
        pos = this.readPi(lt)
      } else {
        if (depth === 0) {
          if (seenRoot) throw malformed('a second root element (XML 1.0 §2.1 [1])', lt)
          seenRoot = true
        }
        pos = this.readStartTag(lt)
      }
    }
    if (this.names.length > 0) throw malformed(`the document ends inside the element ${short(this.names[this.names.length - 1]!)}`, n)
    if (!seenRoot) throw malformed('the document has no root element', n)
  }

  /** XML 1.0 §2.8 [23] XMLDecl, only at the very start. */
  private readXmlDeclaration(at: number): number {
    const text = this.text
    let p = at + 5
    const version = this.readPseudoAttribute(p, 'version', true)
    if (!version) throw malformed('the XML declaration has no version', at)
    if (!/^1\.[0-9]+$/.test(version.value)) throw malformed('the XML declaration has an invalid version', at)
    if (version.value !== '1.0') {
      // A 1.1-aware verifier would normalize NEL and U+2028 line ends the way this reader does not.
      throw new AgentError('ERR_XML_MALFORMED', `only XML 1.0 is accepted, not version ${short(version.value)}`)
    }
    p = version.end
    const encoding = this.readPseudoAttribute(p, 'encoding', false)
    if (encoding) {
      if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(encoding.value)) throw malformed('the XML declaration has an invalid encoding name', at)
      if (encoding.value.toUpperCase() !== 'UTF-8') {
        throw new AgentError(
          'ERR_XML_MALFORMED',
          `the XML declares encoding="${short(encoding.value)}", but it is read, signed and returned as UTF-8: declare encoding="UTF-8" or leave the declaration out`,
        )
      }
      p = encoding.end
    }
    const standalone = this.readPseudoAttribute(p, 'standalone', false)
    if (standalone) {
      if (standalone.value !== 'yes' && standalone.value !== 'no') throw malformed('standalone must be "yes" or "no"', at)
      p = standalone.end
    }
    while (isSpace(text.charCodeAt(p))) p++
    if (!text.startsWith('?>', p)) throw malformed('the XML declaration is not closed by "?>"', p)
    return p + 2
  }

  /** ` name = "value"` of the XML declaration; undefined when `name` does not follow. */
  private readPseudoAttribute(from: number, name: string, required: boolean): { value: string; end: number } | undefined {
    const text = this.text
    let p = from
    while (isSpace(text.charCodeAt(p))) p++
    if (!text.startsWith(name, p)) return undefined
    if (p === from) throw malformed(`a space is required before ${name} in the XML declaration`, p)
    p += name.length
    while (isSpace(text.charCodeAt(p))) p++
    if (text.charCodeAt(p) !== EQ) {
      if (required) throw malformed(`"=" expected after ${name} in the XML declaration`, p)
      throw malformed(`"=" expected after ${name} in the XML declaration`, p)
    }
    p++
    while (isSpace(text.charCodeAt(p))) p++
    const q = text.charCodeAt(p)
    if (q !== QUOT && q !== APOS) throw malformed(`the ${name} in the XML declaration is not quoted`, p)
    const close = text.indexOf(q === QUOT ? '"' : "'", p + 1)
    if (close === -1) throw malformed(`the ${name} in the XML declaration is not closed`, p)
    return { value: text.slice(p + 1, close), end: close + 1 }
  }

  /** Outside the root element only white space may stand between markup (XML 1.0 §2.1 [1], [27]). */
  private checkOutsideText(from: number, to: number): void {
    const text = this.text
    for (let i = from; i < to; i++) {
      if (!isSpace(text.charCodeAt(i))) throw malformed('text outside the root element', i)
    }
  }

  /** Character data (XML 1.0 §2.4 [14]) and references (§4.1 [66], [68]) between markup. */
  private readText(from: number, to: number): void {
    const text = this.text
    const n = this.n
    let canonical = true
    if (this.nextAmp < from) {
      this.nextAmp = text.indexOf('&', from)
      if (this.nextAmp === -1) this.nextAmp = n
    }
    while (this.nextAmp < to) {
      const end = this.readReference(this.nextAmp)
      const len = end - this.nextAmp
      // &amp; &lt; &gt; are their own canonical form (C14N §2.3 escapes exactly these three in text).
      if (!(len === 5 && text.startsWith('amp', this.nextAmp + 1)) && !(len === 4 && (text.startsWith('lt', this.nextAmp + 1) || text.startsWith('gt', this.nextAmp + 1)))) {
        canonical = false
      }
      this.nextAmp = text.indexOf('&', end)
      if (this.nextAmp === -1) this.nextAmp = n
    }
    if (this.nextGt < from) {
      this.nextGt = text.indexOf('>', from)
      if (this.nextGt === -1) this.nextGt = n
    }
    while (this.nextGt < to) {
      canonical = false
      const g = this.nextGt
      if (g - 2 >= from && text.charCodeAt(g - 1) === RBRACKET && text.charCodeAt(g - 2) === RBRACKET) {
        throw malformed('"]]>" in character data (XML 1.0 §2.4 [14])', g - 2)
      }
      this.nextGt = text.indexOf('>', g + 1)
      if (this.nextGt === -1) this.nextGt = n
    }
    if (canonical) {
      if (this.nextCr < from) {
        this.nextCr = text.indexOf('\r', from)
        if (this.nextCr === -1) this.nextCr = n
      }
      if (this.nextCr < to) canonical = false
    }
    if (this.wantsText) this.handler.text!(from, to, canonical)
  }

  /**
   * A reference at `at` (the `&`): a character reference to a legal character (WFC: Legal
   * Character) or one of the five predefined entities (without a DTD no other is declared,
   * WFC: Entity Declared). Returns the offset after `;`.
   */
  private readReference(at: number): number {
    const text = this.text
    let p = at + 1
    if (text.charCodeAt(p) === HASH) {
      p++
      const hex = text.charCodeAt(p) === 0x78 /* x */
      if (hex) p++
      const digitsFrom = p
      let cp = 0
      for (;;) {
        const c = text.charCodeAt(p)
        let d: number
        if (c >= 0x30 && c <= 0x39) d = c - 0x30
        else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57
        else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37
        else break
        cp = cp > 0x10ffff ? cp : cp * (hex ? 16 : 10) + d
        p++
      }
      if (p === digitsFrom || text.charCodeAt(p) !== SEMI) throw malformed('a malformed character reference (XML 1.0 §4.1 [66])', at)
      if (!isXmlCodePoint(cp)) throw malformed('a character reference to a character XML does not allow (WFC: Legal Character)', at)
      return p + 1
    }
    const end = this.readName(p, 'an entity reference')
    if (text.charCodeAt(end) !== SEMI) throw malformed('an entity reference is not closed by ";" (XML 1.0 §4.1 [68])', at)
    const name = text.slice(p, end)
    if (name !== 'amp' && name !== 'lt' && name !== 'gt' && name !== 'quot' && name !== 'apos') {
      throw malformed(`the entity &${short(name)}; is not declared (WFC: Entity Declared; a DTD is not accepted)`, at)
    }
    return end + 1
  }

  /**
   * An XML Name (§2.3 [5]) starting at `from`; returns its end. Records in colonAt/colons where
   * its colons are, for the QName check of Namespaces in XML §4.
   */
  private readName(from: number, what: string): number {
    const text = this.text
    let p = from
    let c = text.charCodeAt(p)
    this.colonAt = -1
    this.colons = 0
    if (isNameHighSurrogate(c)) p += 2
    else if (c === c && isNameStartUnit(c)) p++
    else throw malformed(`${what} does not start with a name character (XML 1.0 §2.3 [4])`, from)
    if (c === COLON) {
      this.colonAt = from
      this.colons = 1
    }
    for (;;) {
      c = text.charCodeAt(p)
      if (c < 0x80) {
        if (!isNameUnit(c)) break // NaN at the end of the text lands here too
        if (c === COLON) {
          if (this.colons++ === 0) this.colonAt = p
        }
        p++
      } else if (isNameHighSurrogate(c)) {
        p += 2
      } else if (isNameUnit(c)) {
        p++
      } else {
        break
      }
    }
    return p
  }

  /** Namespaces in XML 1.0 §4 [7] QName: at most one colon, with a non-empty NCName on each side. */
  private checkQName(from: number, end: number, what: string): void {
    if (this.colons === 0) return
    const c = this.text.charCodeAt(this.colonAt + 1)
    if (this.colons > 1 || this.colonAt === from || this.colonAt === end - 1 || c === c && !isNameStartUnit(c) && !isNameHighSurrogate(c)) {
      throw malformed(`${what} ${short(this.text.slice(from, end))} is not a qualified name (Namespaces in XML 1.0 §4)`, from)
    }
  }

  private readStartTag(lt: number): number {
    const text = this.text
    const nameFrom = lt + 1
    const nameEnd = this.readName(nameFrom, 'a start tag')
    this.checkQName(nameFrom, nameEnd, 'the element name')
    const nameColon = this.colonAt
    let p = nameEnd
    let count = 0
    let c = text.charCodeAt(p)
    let selfClosing = false
    // (S Attribute)* S? ('>' | '/>'), XML 1.0 §3.1 [40], [44]
    for (;;) {
      let spaced = false
      while (isSpace(c)) {
        spaced = true
        c = text.charCodeAt(++p)
      }
      if (c === GT) break
      if (c === SLASH) {
        if (text.charCodeAt(p + 1) !== GT) throw malformed('"/" in a start tag not followed by ">"', p)
        selfClosing = true
        p++
        break
      }
      if (c !== c) throw malformed(`the start tag ${short(text.slice(nameFrom, nameEnd))} is not closed`, lt)
      if (!spaced) throw malformed('attributes must be separated by white space (XML 1.0 §3.1 [40])', p)
      const aFrom = p
      const aTo = this.readName(p, 'an attribute')
      this.checkQName(aFrom, aTo, 'the attribute name')
      const aColon = this.colonAt // before a reference in the value reads a name of its own
      p = aTo
      c = text.charCodeAt(p)
      while (isSpace(c)) c = text.charCodeAt(++p)
      if (c !== EQ) throw malformed(`"=" expected after the attribute ${short(text.slice(aFrom, aTo))}`, p)
      c = text.charCodeAt(++p)
      while (isSpace(c)) c = text.charCodeAt(++p)
      if (c !== QUOT && c !== APOS) throw malformed(`the value of ${short(text.slice(aFrom, aTo))} is not quoted`, p)
      const quote = c
      const from = p + 1
      let plainValue = true
      for (p = from; ; p++) {
        c = text.charCodeAt(p)
        if (c === quote) break
        if (c === LT) throw malformed('"<" in an attribute value (WFC: No < in Attribute Values)', p)
        if (c === AMP) {
          plainValue = false
          p = this.readReference(p) - 1
        } else if (c === 0x09 || c === 0x0a || c === 0x0d) {
          plainValue = false
        } else if (c !== c) {
          throw malformed(`the value of ${short(text.slice(aFrom, aTo))} is not closed`, from - 1)
        }
      }
      this.aStart[count] = aFrom
      this.aEnd[count] = aTo
      this.aColon[count] = aColon
      this.vStart[count] = from
      this.vEnd[count] = p
      this.vPlain[count] = plainValue
      count++
      c = text.charCodeAt(++p)
    }
    const end = p + 1
    const depth = this.names.length + 1
    if (depth > this.limits.maxDepth) {
      throw new AgentError('ERR_XML_TOO_DEEP', `elements are nested deeper than ${this.limits.maxDepth}`, { limit: this.limits.maxDepth })
    }
    const name = this.qnameAt(nameFrom, nameEnd, nameColon)
    const qname = name.qname
    const tag = this.tag
    tag.start = lt
    tag.end = end
    tag.depth = depth
    tag.qname = qname
    tag.selfClosing = selfClosing
    tag.plain = end - lt === (selfClosing ? 3 : 2) + qname.length
    this.marks.push(this.undoPrefix.length)
    if (count === 0) {
      tag.attributes = EMPTY
      tag.declarations = EMPTY
    } else {
      this.readAttributes(count, tag)
    }
    const prefix = name.prefix
    tag.prefix = prefix
    tag.localName = name.localName
    if (nameColon === -1) {
      tag.namespaceURI = this.scope.get('') ?? ''
    } else {
      if (prefix === 'xmlns') throw malformed('an element name with the prefix xmlns (Namespaces in XML 1.0 §3)', lt)
      const uri = this.scope.get(prefix)
      if (!uri) throw malformed(`the prefix ${short(prefix)} is not declared (Namespaces in XML 1.0 §5, NSC: Prefix Declared)`, lt)
      tag.namespaceURI = uri
    }
    this.names.push(qname)
    this.nameAt.push(nameFrom)
    this.handler.startElement(tag)
    if (selfClosing) this.closeElement(qname, end, end, false)
    return end
  }

  /**
   * The element name at text[from..end), split at its colon. A body repeats a few names many
   * times: a small cache hands back the same strings rather than new slices per element, which
   * also spares the namespace lookups re-hashing a fresh prefix string each time.
   */
  private qnameAt(from: number, end: number, colon: number): QName {
    const text = this.text
    const length = end - from
    const slot = (length * 31 + text.charCodeAt(from) * 7 + text.charCodeAt(end - 1)) & 63
    const cached = this.nameCache[slot]
    if (cached !== undefined && cached.qname.length === length && sameText(text, cached.at, from, length)) return cached
    const qname = text.slice(from, end)
    const name: QName =
      colon === -1
        ? { qname, prefix: '', localName: qname, at: from }
        : { qname, prefix: qname.slice(0, colon - from), localName: qname.slice(colon - from + 1), at: from }
    this.nameCache[slot] = name
    return name
  }

  /** Bind the tag's namespace declarations, then resolve and check its attributes. */
  private readAttributes(count: number, tag: Tag): void {
    const text = this.text
    let declarations: NamespaceDeclaration[] | undefined
    const qnames: string[] = new Array(count)
    // A pairwise check for the usual few attributes; a set when a hostile tag has thousands.
    const seen = count > 8 ? new Set<string>() : undefined
    for (let i = 0; i < count; i++) {
      const qname = text.slice(this.aStart[i]!, this.aEnd[i]!)
      let twice = false
      if (seen) {
        twice = seen.has(qname)
        seen.add(qname)
      } else {
        for (let j = 0; j < i; j++) if (qnames[j] === qname) twice = true
      }
      if (twice) throw malformed(`the attribute ${short(qname)} appears twice (WFC: Unique Att Spec)`, this.aStart[i]!)
      qnames[i] = qname
      if (qname !== 'xmlns' && !(this.aColon[i] === this.aStart[i]! + 5 && qname.startsWith('xmlns:'))) continue
      const prefix = qname === 'xmlns' ? '' : qname.slice(6)
      const uri = this.attributeValue(i)
      // Namespaces in XML 1.0 §3, the reserved prefixes and names, and NSC: No Prefix Undeclaring.
      if (prefix === 'xmlns') throw malformed('the prefix xmlns must not be declared (Namespaces in XML 1.0 §3)', this.aStart[i]!)
      if (prefix === 'xml' ? uri !== XML_NS : uri === XML_NS) {
        throw malformed('the prefix xml and its namespace go only with each other (Namespaces in XML 1.0 §3)', this.aStart[i]!)
      }
      if (uri === XMLNS_NS) throw malformed('the xmlns namespace must not be declared (Namespaces in XML 1.0 §3)', this.aStart[i]!)
      if (prefix !== '' && uri === '') throw malformed(`the prefix ${short(prefix)} is undeclared with an empty value (Namespaces in XML 1.0 §5)`, this.aStart[i]!)
      ;(declarations ??= []).push({ prefix, uri })
      this.undoPrefix.push(prefix)
      this.undoUri.push(this.scope.get(prefix))
      this.scope.set(prefix, uri)
    }
    const attributes: XmlAttribute[] = []
    const expanded = count > 8 ? new Set<string>() : undefined
    for (let i = 0; i < count; i++) {
      const qname = qnames[i]!
      const colon = this.aColon[i]!
      if (colon === -1) {
        if (qname === 'xmlns') continue
        attributes.push({ qname, prefix: '', localName: qname, namespaceURI: '', value: this.attributeValue(i) })
        continue
      }
      const prefix = qname.slice(0, colon - this.aStart[i]!)
      if (prefix === 'xmlns') continue
      const uri = this.scope.get(prefix)
      if (!uri) throw malformed(`the prefix ${short(prefix)} is not declared (Namespaces in XML 1.0 §5, NSC: Prefix Declared)`, this.aStart[i]!)
      const localName = qname.slice(prefix.length + 1)
      let twice = false
      if (expanded) {
        const key = `${localName} ${uri}` // unambiguous: a name holds no space
        twice = expanded.has(key)
        expanded.add(key)
      } else {
        for (const other of attributes) if (other.namespaceURI === uri && other.localName === localName) twice = true
      }
      if (twice) {
        throw malformed(`two attributes with the same expanded name {${short(uri)}}${short(localName)} (Namespaces in XML 1.0 §6.3)`, this.aStart[i]!)
      }
      attributes.push({ qname, prefix, localName, namespaceURI: uri, value: this.attributeValue(i) })
    }
    tag.attributes = attributes
    tag.declarations = declarations ?? EMPTY
  }

  /** The normalized value of raw attribute `i`. */
  private attributeValue(i: number): string {
    const from = this.vStart[i]!
    const to = this.vEnd[i]!
    return this.vPlain[i] ? this.text.slice(from, to) : normalizeAttributeValue(this.text, from, to)
  }

  private readEndTag(lt: number): number {
    const text = this.text
    const depth = this.names.length
    if (depth === 0) throw malformed('an end tag without a start tag', lt)
    const qname = this.names[depth - 1]!
    const openedAt = this.nameAt[depth - 1]!
    let p = lt + 2 + qname.length
    let c = text.charCodeAt(p)
    if (!sameText(text, openedAt, lt + 2, qname.length) || (c !== GT && !isSpace(c))) {
      throw malformed(`the end tag does not match the start tag ${short(qname)} (WFC: Element Type Match)`, lt)
    }
    const plain = c === GT
    while (isSpace(c)) c = text.charCodeAt(++p)
    if (c !== GT) throw malformed(`the end tag of ${short(qname)} is not closed by ">"`, lt)
    this.closeElement(qname, lt, p + 1, plain)
    return p + 1
  }

  private closeElement(qname: string, start: number, end: number, plain: boolean): void {
    this.handler.endElement(qname, start, end, plain)
    this.names.pop()
    this.nameAt.pop()
    const mark = this.marks.pop()!
    while (this.undoPrefix.length > mark) {
      const prefix = this.undoPrefix.pop()!
      const uri = this.undoUri.pop()
      if (uri === undefined) this.scope.delete(prefix)
      else this.scope.set(prefix, uri)
    }
  }

  /** `<!--` comments, `<![CDATA[` sections; anything else after `<!` is a DTD or garbage. */
  private readBang(lt: number, depth: number): number {
    const text = this.text
    if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4)
      if (close === -1) throw malformed('a comment is not closed', lt)
      // XML 1.0 §2.5 [15]: "--" must not occur inside a comment, nor may it end in "-".
      if (text.indexOf('--', lt + 4) !== close) throw malformed('"--" inside a comment (XML 1.0 §2.5 [15])', lt)
      this.handler.comment?.(lt, close + 3)
      return close + 3
    }
    if (text.startsWith('<![CDATA[', lt)) {
      if (depth === 0) throw malformed('a CDATA section outside the root element', lt)
      const close = text.indexOf(']]>', lt + 9)
      if (close === -1) throw malformed('a CDATA section is not closed', lt)
      this.handler.cdata?.(lt, close + 3)
      return close + 3
    }
    if (/^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/.test(text.slice(lt, lt + 10))) {
      // SOAP 1.1 §3 and SOAP 1.2 part 1 §5: a SOAP message must not contain a DTD.
      throw new AgentError('ERR_XML_DTD_FORBIDDEN', 'DOCTYPE and entity declarations are refused')
    }
    throw malformed('"<!" starts neither a comment nor a CDATA section', lt)
  }

  /** XML 1.0 §2.6 [16] PI; targets are NCNames (Namespaces in XML 1.0 §7), never "xml". */
  private readPi(lt: number): number {
    const text = this.text
    const from = lt + 2
    const nameEnd = this.readName(from, 'a processing instruction')
    if (this.colons > 0) throw malformed('a processing instruction target contains a colon (Namespaces in XML 1.0 §7)', lt)
    const target = text.slice(from, nameEnd)
    if (target.length === 3 && target.toLowerCase() === 'xml') {
      throw malformed('an XML declaration that is not at the very start, or a PI target "xml" (XML 1.0 §2.6, §2.8)', lt)
    }
    let p = nameEnd
    if (!text.startsWith('?>', p)) {
      if (!isSpace(text.charCodeAt(p))) throw malformed('a processing instruction target must be followed by white space or "?>"', p)
      while (isSpace(text.charCodeAt(p))) p++
    }
    const close = text.indexOf('?>', p)
    if (close === -1) throw malformed('a processing instruction is not closed', lt)
    this.handler.processingInstruction?.(lt, close + 2, target, p)
    return close + 2
  }
}

/**
 * XML 1.0 §3.3.3 attribute-value normalization for CDATA attributes, after §2.11 line-end
 * normalization: each literal white space character becomes a space (a CR LF pair becomes one),
 * references become the character they stand for (a referenced tab or line feed stays as is).
 * The value was checked by the scanner already.
 */
export function normalizeAttributeValue(text: string, from: number, to: number): string {
  let out = ''
  let run = from
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p)
    if (c === 0x09 || c === 0x0a || c === 0x0d) {
      out += text.slice(run, p) + ' '
      if (c === 0x0d && text.charCodeAt(p + 1) === 0x0a) p++
      run = p + 1
    } else if (c === AMP) {
      const semi = text.indexOf(';', p)
      out += text.slice(run, p) + resolveReference(text, p, semi)
      p = semi
      run = p + 1
    }
  }
  return out + text.slice(run, to)
}

/**
 * The characters that raw character data `text[from..to)` (as reported by the scanner's `text`
 * event) stands for: references resolved (§4.1) and line ends normalized (§2.11: CR LF and a
 * lone CR are read as LF; a CR from `&#13;` stays).
 */
export function decodeCharacterData(text: string, from: number, to: number): string {
  let out = ''
  let run = from
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p)
    if (c === AMP) {
      const semi = text.indexOf(';', p)
      out += text.slice(run, p) + resolveReference(text, p, semi)
      p = semi
      run = p + 1
    } else if (c === 0x0d) {
      out += text.slice(run, p) + (text.charCodeAt(p + 1) === 0x0a ? '' : '\n')
      run = p + 1
    }
  }
  return out + text.slice(run, to)
}

/** XML 1.0 §2.11 line-end normalization of a literal stretch (CDATA, comment, PI data). */
export function normalizeLineEnds(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s
}

/** The character(s) a checked reference `text[amp..semi]` stands for. */
export function resolveReference(text: string, amp: number, semi: number): string {
  if (text.charCodeAt(amp + 1) === HASH) {
    const hex = text.charCodeAt(amp + 2) === 0x78
    return String.fromCodePoint(parseInt(text.slice(amp + (hex ? 3 : 2), semi), hex ? 16 : 10))
  }
  switch (text.slice(amp + 1, semi)) {
    case 'amp':
      return '&'
    case 'lt':
      return '<'
    case 'gt':
      return '>'
    case 'quot':
      return '"'
    default:
      return "'"
  }
}

/**
 * Whether text[a..a+n) equals text[b..b+n): names are compared where they stand in the (flat)
 * document, not through their own strings, which may be slices of it and slower to index.
 */
function sameText(text: string, a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false
  return true
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s
}

function malformed(detail: string, offset: number): AgentError {
  return new AgentError('ERR_XML_MALFORMED', `the XML is not well-formed: ${detail} (at offset ${offset})`, { offset })
}
