import { AgentError } from '../errors.js'

/** Limits applied before any DOM is built. */
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

/** Where one element sits in the original text: offsets of its start and end tags. */
export interface ElementSpan {
  /** Qualified name as written (`soap:Body`). */
  qname: string
  depth: number
  /** Offset of `<` of the start tag. */
  start: number
  /** Offset just after `>` of the start tag. */
  startTagEnd: number
  /** Offset of `<` of the end tag (equal to `start` for `<x/>`). */
  endTagStart: number
  /** Offset just after `>` of the end tag (or of `/>`). */
  end: number
  selfClosing: boolean
}

/**
 * A lexical pass over the raw text, before the DOM parser sees it: refuses DOCTYPE and entity
 * declarations (XXE, billion laughs), enforces the size and depth limits (the DOM parser and
 * anything recursive after it never meet a 10k-deep document), and records the spans of the
 * elements at depth 1..`spanDepth`, which is what a splice needs to insert a header into the
 * caller's original text without re-serializing it.
 *
 * It understands comments, CDATA sections, processing instructions and quoted attribute values,
 * so a `<` or `>` inside them is not mistaken for markup. Well-formedness itself is left to the
 * DOM parser that runs next.
 */
export function scanXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS, spanDepth = 2): ElementSpan[] {
  if (text.length > limits.maxLength) {
    throw new AgentError('ERR_XML_TOO_LARGE', `the XML is ${text.length} characters long; the limit is ${limits.maxLength}`, {
      limit: limits.maxLength,
    })
  }
  const spans: ElementSpan[] = []
  const open: (ElementSpan | null)[] = [] // null: an element deeper than spanDepth
  let depth = 0
  let i = text.indexOf('<')
  while (i !== -1) {
    const next = text.charCodeAt(i + 1)
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', i)) {
        i = skipPast(text, '-->', i + 4, 'comment')
      } else if (text.startsWith('<![CDATA[', i)) {
        i = skipPast(text, ']]>', i + 9, 'CDATA section')
      } else {
        // <!DOCTYPE, <!ENTITY, <!ELEMENT ...: SOAP 1.1 §3 and SOAP 1.2 part 1 §5 forbid a DTD.
        throw new AgentError('ERR_XML_DTD_FORBIDDEN', 'DOCTYPE and entity declarations are refused')
      }
    } else if (next === 0x3f /* ? */) {
      i = skipPast(text, '?>', i + 2, 'processing instruction')
    } else if (next === 0x2f /* / */) {
      const close = text.indexOf('>', i)
      if (close === -1) throw malformed('an end tag is not closed')
      const el = open.pop()
      if (el) {
        el.endTagStart = i
        el.end = close + 1
      }
      depth--
      if (depth < 0) throw malformed('an end tag has no start tag')
      i = close + 1
    } else {
      const close = findTagEnd(text, i + 1)
      const selfClosing = text.charCodeAt(close - 1) === 0x2f
      depth++
      if (depth > limits.maxDepth) {
        throw new AgentError('ERR_XML_TOO_DEEP', `elements are nested deeper than ${limits.maxDepth}`, {
          limit: limits.maxDepth,
        })
      }
      if (depth <= spanDepth) {
        const span: ElementSpan = {
          qname: readName(text, i + 1),
          depth,
          start: i,
          startTagEnd: close + 1,
          endTagStart: i,
          end: close + 1,
          selfClosing,
        }
        spans.push(span)
        if (!selfClosing) open.push(span)
      } else if (!selfClosing) {
        open.push(null)
      }
      if (selfClosing) depth--
      i = close + 1
    }
    i = text.indexOf('<', i)
  }
  if (depth !== 0) throw malformed('the document ends inside an element')
  return spans
}

function skipPast(text: string, terminator: string, from: number, what: string): number {
  const at = text.indexOf(terminator, from)
  if (at === -1) throw malformed(`a ${what} is not closed`)
  return at + terminator.length
}

/**
 * Index of the `>` that ends the tag starting before `from`, skipping quoted attribute values.
 * Walks the tag character by character: searching ahead for the next quote instead would run to
 * the far end of a quote-free document for every tag (quadratic on a 10 MB body).
 */
function findTagEnd(text: string, from: number): number {
  const n = text.length
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x3e /* > */) return i
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const qEnd = text.indexOf(c === 0x22 ? '"' : "'", i + 1)
      if (qEnd === -1) throw malformed('an attribute value is not closed')
      i = qEnd
    } else if (c === 0x3c /* < */) {
      throw malformed('a start tag is not closed')
    }
  }
  throw malformed('a start tag is not closed')
}

function readName(text: string, from: number): string {
  let end = from
  while (end < text.length) {
    const c = text.charCodeAt(end)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f || c === 0x3e) break
    end++
  }
  return text.slice(from, end)
}

function malformed(detail: string): AgentError {
  return new AgentError('ERR_XML_MALFORMED', `the XML is not well-formed: ${detail}`)
}
