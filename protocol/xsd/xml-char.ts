/**
 * XML characters: what an XML 1.0 document may contain at all.
 *
 * @module
 */

// XML 1.0 (Fifth Edition) §2.2 [2] Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
// [#x10000-#x10FFFF]. Anything else (NUL, the other C0 controls, U+FFFE, U+FFFF, a lone
// surrogate) cannot appear in a document, not even as a character reference (§4.1, WFC: Legal
// Character), so escaping cannot save it. With the `u` flag a lone surrogate is one code point
// outside the class, and a valid pair is one code point inside it.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/**
 * The index of the first character of `text` that XML 1.0 cannot carry, or -1 when there is none.
 *
 * @example
 * ```ts
 * findNonXmlChar('RC-1')     // -1
 * findNonXmlChar('a\u0000b') // 1
 * findNonXmlChar('\uD800')   // 0: a lone surrogate
 * ```
 */
export function findNonXmlChar(text: string): number {
  const match = NOT_XML_CHAR.exec(text)
  return match === null ? -1 : match.index
}

/**
 * Whether every character of `text` is one XML 1.0 can carry (escaped, if it is markup).
 *
 * @example
 * ```ts
 * isXmlText('a < b & "c"') // true: the builders escape markup
 * isXmlText('a\u0007b')    // false
 * ```
 */
export function isXmlText(text: string): boolean {
  return findNonXmlChar(text) === -1
}
