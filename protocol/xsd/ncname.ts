/**
 * NCName: the names XML namespaces allow for local names, prefixes and ID values (xsd:ID is an
 * NCName, XML Schema 1.0 Part 2 §3.3.8).
 *
 * @module
 */

// Namespaces in XML 1.0 (Third Edition) §3: NCName ::= Name - (Char* ':' Char*), with Name built
// from XML 1.0 (Fifth Edition) §2.3 [4] NameStartChar and [4a] NameChar; the colon removed.
const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}'
const NAME_REST = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`
const NCNAME = new RegExp(`^[${NAME_START}][${NAME_REST}]*$`, 'u')

/**
 * Whether `value` is an NCName: an XML name without a colon. Ids the builders write into
 * `AssertionID`, `RequestID` or `wsu:Id` must be, or the document is not what it says.
 *
 * @example
 * ```ts
 * isNcName('request-4f3c') // true
 * isNcName('_42e7a006')    // true
 * isNcName('1token')       // false: a name cannot start with a digit
 * isNcName('wsu:Id')       // false: no colon
 * ```
 */
export function isNcName(value: unknown): value is string {
  return typeof value === 'string' && NCNAME.test(value)
}
