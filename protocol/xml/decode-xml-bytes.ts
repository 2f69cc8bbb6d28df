import { AgentError } from '../errors.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The text of an XML document received as bytes, for the scanner. Only UTF-8 is accepted (with
 * or without a byte order mark): everything this agent signs or reads travels as UTF-8 (JSON
 * strings, SOAP over HTTP), and the scanner refuses any other encoding declaration. Bytes that
 * are not UTF-8 are a fatal error (XML 1.0 §4.3.3), never replaced by U+FFFD.
 *
 * @throws AgentError ERR_XML_MALFORMED for UTF-16/UTF-32 input and for invalid UTF-8.
 *
 * @example
 * ```ts
 * scanXml(decodeXmlBytes(new TextEncoder().encode('<a/>')))
 * ```
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  const b0 = bytes[0]
  const b1 = bytes[1]
  // XML 1.0 Appendix F.1: a UTF-16 or UTF-32 BOM, or '<' as UTF-16/32 (a zero byte beside it).
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe) || b0 === 0x00 || (b0 === 0x3c && b1 === 0x00)) {
    throw new AgentError('ERR_XML_MALFORMED', 'the XML is UTF-16 or UTF-32; send it as UTF-8')
  }
  try {
    return UTF8.decode(bytes)
  } catch {
    throw new AgentError('ERR_XML_MALFORMED', 'the XML is not valid UTF-8 (XML 1.0 §4.3.3)')
  }
}
