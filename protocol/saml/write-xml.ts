/**
 * Writing values into the SAML builders' markup: escaping (the C14N escapes, which are also valid
 * XML, so a builder can write its text directly in canonical form), xsd:dateTime and the checks
 * that keep a value from producing a document other than the one intended.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { escapeAttr, escapeText } from '../xml/index.js'

// XML 1.0 §2.2 Char: everything else (NUL, most C0 controls, lone surrogates, U+FFFE/U+FFFF)
// cannot appear in a document at all, not even escaped.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

// xsd:ID / xsd:NCName, restricted to ASCII: what the ids we generate ('request-<uuid>',
// '_<hex>') look like, and what every id-aware verifier accepts.
const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * Escape for an attribute value; refuses characters XML cannot carry.
 *
 * @example
 * ```ts
 * `Issuer="${writeAttr('A "B" & C', 'issuer')}"` // Issuer="A &quot;B&quot; &amp; C"
 * ```
 */
export function writeAttr(value: string, what: string): string {
  return escapeAttr(checkChars(value, what))
}

/**
 * Escape for element text; refuses characters XML cannot carry.
 *
 * @example
 * ```ts
 * writeText('a < b', 'value') // 'a &lt; b'
 * ```
 */
export function writeText(value: string, what: string): string {
  return escapeText(checkChars(value, what))
}

/**
 * An xsd:dateTime in UTC with milliseconds, as TC and the STS write them (reference §2.3, §4).
 *
 * @example
 * ```ts
 * writeDateTime(new Date(Date.UTC(2025, 0, 10, 9)), 'notBefore') // '2025-01-10T09:00:00.000Z'
 * ```
 */
export function writeDateTime(value: Date, what: string): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw cannotBuild(`${what} is not a valid date`)
  const text = value.toISOString()
  // Outside 0001..9999 toISOString writes '+010000-…' or '0000-…', neither of which is xsd:dateTime.
  if (!/^\d{4}-/.test(text) || text.startsWith('0000')) throw cannotBuild(`${what} is outside the years 0001..9999`)
  return text
}

/**
 * An id attribute value (xsd:ID); refuses anything that is not an NCName.
 *
 * @example
 * ```ts
 * writeId(`request-${uuid}`, 'requestId')
 * ```
 */
export function writeId(value: string, what: string): string {
  if (typeof value !== 'string' || !NCNAME.test(value)) throw cannotBuild(`${what} is not an XML id (NCName): "${String(value).slice(0, 80)}"`)
  return value
}

/**
 * Base64 (a DER certificate), whitespace removed; refuses anything else.
 *
 * @example
 * ```ts
 * writeBase64('MIIB\nAAAA', 'hokCertificateBase64') // 'MIIBAAAA'
 * ```
 */
export function writeBase64(value: string, what: string): string {
  const compact = typeof value === 'string' ? value.replace(/\s+/g, '') : ''
  if (!BASE64.test(compact)) throw cannotBuild(`${what} is not base64`)
  return compact
}

function checkChars(value: string, what: string): string {
  if (typeof value !== 'string') throw cannotBuild(`${what} is not a string`)
  if (NOT_XML_CHAR.test(value)) throw cannotBuild(`${what} contains a character XML cannot carry`)
  return value
}

/**
 * The typed error of builder input that cannot become the intended document.
 *
 * @example
 * ```ts
 * throw cannotBuild('attribute x has no value') // ERR_SAML_INVALID, data.detail
 * ```
 */
export function cannotBuild(detail: string): AgentError {
  return new AgentError('ERR_SAML_INVALID', `cannot build the SAML message: ${detail}`, { detail })
}
