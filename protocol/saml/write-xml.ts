/**
 * Writing values into the SAML builders' markup: escaping (the C14N escapes, which are also valid
 * XML, so a builder can write its text directly in canonical form), xsd:dateTime and the checks
 * that keep a value from producing a document other than the one intended.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { escapeAttr, escapeText } from '../xml/index.js'
import { formatXsdDateTime, isNcName, isXmlText } from '../xsd/index.js'

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
 * An xsd:dateTime in UTC with milliseconds, as TC and the STS write them (TC
 * `AbstractSTSService.processDefaultFields`).
 *
 * @example
 * ```ts
 * writeDateTime(new Date(Date.UTC(2025, 0, 10, 9)), 'notBefore') // '2025-01-10T09:00:00.000Z'
 * ```
 */
export function writeDateTime(value: Date, what: string): string {
  const written = formatXsdDateTime(value)
  if (!written.ok) throw cannotBuild(`${what} cannot be written as xsd:dateTime: ${written.problem}`)
  return written.value
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
  if (!isNcName(value)) throw cannotBuild(`${what} is not an XML id (NCName): "${String(value).slice(0, 80)}"`)
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
  if (!isXmlText(value)) throw cannotBuild(`${what} contains a character XML cannot carry`)
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
