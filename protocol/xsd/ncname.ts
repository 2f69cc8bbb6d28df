/**
 * NCName: the names XML namespaces allow for local names, prefixes and ID values (xsd:ID is an
 * NCName, XML Schema 1.0 Part 2 §3.3.8).
 *
 * @module
 */
import { isNameHighSurrogate, isNameStartUnit, isNameUnit } from './xml-char.js'

const COLON = 0x3a

/**
 * Whether `value` is an NCName: an XML name without a colon (Namespaces in XML 1.0 Third Edition
 * §3: NCName ::= Name - (Char* ':' Char*), Name from XML 1.0 §2.3). Ids the builders write into
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
  if (typeof value !== 'string' || value.length === 0) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === COLON) return false
    if (isNameHighSurrogate(c)) {
      // [#x10000-#xEFFFF]: a high surrogate D800..DB7F and its low surrogate, in start or rest.
      const low = value.charCodeAt(i + 1)
      if (!(low >= 0xdc00 && low <= 0xdfff)) return false
      i++
      continue
    }
    if (!(i === 0 ? isNameStartUnit(c) : isNameUnit(c))) return false
  }
  return true
}
