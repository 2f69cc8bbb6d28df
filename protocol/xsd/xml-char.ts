/**
 * XML characters and names (XML 1.0 Fifth Edition §2.2 [2] Char, §2.3 [3] S, [4] NameStartChar,
 * [4a] NameChar): what a document may contain at all, and what a name is made of. One definition,
 * used by the XML scanner's hot loop (code-unit predicates over an ASCII lookup table, no
 * allocation) and by the codecs that check the text they write (whole-string checks).
 *
 * @module
 */

const NAME_START = 1
const NAME = 2

/** Bits for ASCII: NAME_START | NAME for letters, '_' and ':', NAME for '-', '.', digits. */
const ASCII = new Uint8Array(128)
for (let c = 0x41; c <= 0x5a; c++) ASCII[c] = NAME_START | NAME
for (let c = 0x61; c <= 0x7a; c++) ASCII[c] = NAME_START | NAME
for (let c = 0x30; c <= 0x39; c++) ASCII[c] = NAME
ASCII[0x5f] = NAME_START | NAME // _
ASCII[0x3a] = NAME_START | NAME // :
ASCII[0x2d] = NAME // -
ASCII[0x2e] = NAME // .

/** [4] NameStartChar for a BMP code unit that is not a surrogate. */
export function isNameStartUnit(c: number): boolean {
  if (c < 0x80) return (ASCII[c]! & NAME_START) !== 0
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  )
}

/** [4a] NameChar for a BMP code unit that is not a surrogate. */
export function isNameUnit(c: number): boolean {
  if (c < 0x80) return ASCII[c]! !== 0
  return c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040 || isNameStartUnit(c)
}

/**
 * A high surrogate that starts a name character: [#x10000-#xEFFFF] is a NameStartChar (and so a
 * NameChar), which in UTF-16 is a high surrogate D800..DB7F followed by any low surrogate.
 */
export function isNameHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdb7f
}

/** True for S, XML 1.0 §2.3 [3]: space, tab, line feed, carriage return. */
export function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d
}

/**
 * A quick search for any code unit that may break [2] Char: C0 controls other than tab, LF and
 * CR, surrogates (valid only as a pair), U+FFFE and U+FFFF. One regular-expression pass over the
 * whole text is far cheaper than a check per character in the scanner; a hit on a surrogate is
 * then confirmed by {@link firstInvalidChar}.
 */
const MAYBE_INVALID = /[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/
const INVALID = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Offset of the first code unit that is not part of an XML [2] Char, or -1. */
export function firstInvalidChar(text: string): number {
  if (!MAYBE_INVALID.test(text)) return -1
  const m = INVALID.exec(text)
  return m ? m.index : -1
}

/** True when `cp` (a code point, e.g. from a character reference) is an XML [2] Char. */
export function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x09 ||
    cp === 0x0a ||
    cp === 0x0d ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  )
}

/**
 * The index of the first character of `text` that XML 1.0 cannot carry, or -1 when there is none.
 * Anything outside [2] Char (NUL, the other C0 controls, U+FFFE, U+FFFF, a lone surrogate) cannot
 * appear in a document, not even as a character reference (§4.1, WFC: Legal Character), so
 * escaping cannot save it.
 *
 * @example
 * ```ts
 * findNonXmlChar('RC-1')     // -1
 * findNonXmlChar('a\u0000b') // 1
 * findNonXmlChar('\uD800')   // 0: a lone surrogate
 * ```
 */
export function findNonXmlChar(text: string): number {
  return firstInvalidChar(text)
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
  return firstInvalidChar(text) === -1
}
