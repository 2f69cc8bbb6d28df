import type { SplitEnvelope } from './split-envelope.js'

/** What to splice into the caller's envelope text. */
export interface SpliceOptions {
  /** Markup inserted as the first child of the SOAP Header (created when absent). */
  headerContent: string
  /** Attribute markup appended to the Body start tag, e.g. ` xmlns:wsu="…" wsu:Id="id-1"`. */
  bodyAttributes?: string
}

/**
 * Insert a header block (and Body attributes) into the caller's ORIGINAL text, leaving every
 * other byte as it was: the Body content the caller sent is byte for byte the Body that was
 * digested and that the service receives. Nothing of the caller's document is re-serialized.
 *
 * @example
 * ```ts
 * const signed = spliceHeader(splitEnvelope(text), { headerContent: securityXml, bodyAttributes: ' wsu:Id="id-1"' })
 * ```
 */
export function spliceHeader(env: Pick<SplitEnvelope, 'text' | 'spans'>, options: SpliceOptions): string {
  const text = env.text
  const body = env.spans.body
  const header = env.spans.header
  const prefix = qnamePrefix(body.qname)
  const headerName = prefix ? `${prefix}:Header` : 'Header'

  // Where the Body start tag's attributes end: before `/>` or `>`.
  const bodyTagClose = body.selfClosing ? body.startTagEnd - 2 : body.startTagEnd - 1
  const bodyStart = text.slice(body.start, bodyTagClose) + (options.bodyAttributes ?? '') + text.slice(bodyTagClose, body.startTagEnd)

  const parts: string[] = []
  if (!header) {
    parts.push(text.slice(0, body.start), `<${headerName}>`, options.headerContent, `</${headerName}>`)
  } else if (header.selfClosing) {
    // <soap:Header/> (possibly with attributes) becomes <soap:Header …>content</soap:Header>.
    const open = text.slice(header.start, header.startTagEnd - 2).trimEnd() + '>'
    parts.push(text.slice(0, header.start), open, options.headerContent, `</${header.qname}>`, text.slice(header.end, body.start))
  } else {
    parts.push(text.slice(0, header.startTagEnd), options.headerContent, text.slice(header.startTagEnd, body.start))
  }
  parts.push(bodyStart, text.slice(body.startTagEnd))
  return parts.join('')
}

function qnamePrefix(qname: string): string {
  const i = qname.indexOf(':')
  return i === -1 ? '' : qname.slice(0, i)
}
