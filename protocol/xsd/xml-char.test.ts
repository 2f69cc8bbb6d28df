import { describe, expect, it } from 'vitest'
import { findNonXmlChar, isXmlText } from './xml-char.js'

describe('XML 1.0 characters', () => {
  it.each(['', 'RC-1', 'a < b & "c"', '\t\n\r', '\u0020\uD7FF\uE000\uFFFD', 'é 日本 𝄞', '\u{10FFFF}'])('%j is XML text', (text) => {
    expect(isXmlText(text)).toBe(true)
    expect(findNonXmlChar(text)).toBe(-1)
  })

  it.each([
    ['a\u0000b', 1],
    ['\u0001', 0],
    ['ab\u0008', 2],
    ['\u000B', 0],
    ['\u000C', 0],
    ['\u001F', 0],
    ['x\uFFFE', 1],
    ['\uFFFF', 0],
    ['\uD800', 0], // a lone high surrogate
    ['a\uDC00', 1], // a lone low surrogate
    ['\uDC00\uD800', 0], // a pair in the wrong order is two lone surrogates
    ['𝄞\uD834', 2], // a valid pair, then a lone one
  ] as const)('%j is not: first bad character at %i', (text, index) => {
    expect(isXmlText(text)).toBe(false)
    expect(findNonXmlChar(text)).toBe(index)
  })

  it('checks every code point below U+10000 against XML 1.0 §2.2 [2] Char', () => {
    // The production, written out as a predicate on code points, against the regular expression.
    const isChar = (c: number) => c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd)
    const wrong: number[] = []
    for (let c = 0; c < 0x10000; c++) if (isXmlText(String.fromCharCode(c)) !== isChar(c)) wrong.push(c)
    expect(wrong).toEqual([])
  })
})
