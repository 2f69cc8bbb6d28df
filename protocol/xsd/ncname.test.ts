import { describe, expect, it } from 'vitest'
import { isNcName } from './ncname.js'

describe('isNcName', () => {
  it.each([
    'a',
    '_',
    'request-4f3c8a10-0000-4000-8000-000000000001',
    '_42e7a00652420d86ee884f295a3fbf02',
    'token-1.2',
    'TS-1',
    'é', // U+00E9 is in [#xC0-#xD6 | #xD8-#xF6 | #xF8-#x2FF]
    'a·b', // U+00B7 MIDDLE DOT: a NameChar, not a NameStartChar
    'a\u0301', // a combining acute accent (U+0300-U+036F) after the first character
    'x\u203F', // UNDERTIE, a NameChar
    '\u{10000}abc', // a supplementary-plane NameStartChar, one code point of two UTF-16 units
    '日本',
  ])('%j is an NCName', (value) => {
    expect(isNcName(value)).toBe(true)
  })

  it.each([
    '',
    '1token', // a digit cannot start a name
    '-a',
    '.a',
    '·a',
    '\u0301a',
    'wsu:Id', // no colon in an NCName
    ':a',
    'a b',
    'a"b',
    'a<b',
    'a\u0000',
    '\u00D7', // MULTIPLICATION SIGN, excluded from NameStartChar
    'a\u00F7', // DIVISION SIGN, not a NameChar
    'a\u037E', // GREEK QUESTION MARK, excluded
    '\uD800', // a lone surrogate
    'a\uFFFE',
    '\u{F0000}', // beyond #xEFFFF
  ])('%j is not an NCName', (value) => {
    expect(isNcName(value)).toBe(false)
  })

  it('refuses what is not a string', () => {
    expect(isNcName(undefined)).toBe(false)
    expect(isNcName(42)).toBe(false)
  })

  it('follows XML 1.0 §2.3 [4] NameStartChar and [4a] NameChar for every code point', () => {
    // The productions, written out as predicates on code points, against the regular expression.
    const ranges = (c: number, list: [number, number][]) => list.some(([lo, hi]) => c >= lo && c <= hi)
    const START: [number, number][] = [[0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a], [0xc0, 0xd6], [0xd8, 0xf6], [0xf8, 0x2ff], [0x370, 0x37d], [0x37f, 0x1fff], [0x200c, 0x200d], [0x2070, 0x218f], [0x2c00, 0x2fef], [0x3001, 0xd7ff], [0xf900, 0xfdcf], [0xfdf0, 0xfffd], [0x10000, 0xeffff]]
    const REST: [number, number][] = [...START, [0x2d, 0x2e], [0x30, 0x39], [0xb7, 0xb7], [0x300, 0x36f], [0x203f, 0x2040]]
    const wrong: string[] = []
    // Every BMP code point, then the supplementary planes sampled, with the edges of the last range.
    const codePoints = [...Array.from({ length: 0x10000 }, (_, c) => c), ...Array.from({ length: 0x1000 }, (_, i) => 0x10000 + i * 0xff), 0xeffff, 0xf0000, 0x10ffff]
    for (const c of codePoints) {
      if (c >= 0xd800 && c <= 0xdfff) continue // surrogates are not characters on their own
      const ch = String.fromCodePoint(c)
      if (isNcName(ch) !== ranges(c, START)) wrong.push(`start U+${c.toString(16)}`)
      if (isNcName('a' + ch) !== ranges(c, REST)) wrong.push(`rest U+${c.toString(16)}`)
    }
    expect(wrong).toEqual([])
  })
})
