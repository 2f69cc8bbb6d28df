import { DOMParser } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import { ExclusiveCanonicalization } from 'xml-crypto'
import { compareCodePoints, SpecExclusiveCanonicalization } from './spec-exclusive-c14n.js'

const rootOf = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement!
const spec = (xml: string) => new SpecExclusiveCanonicalization().process(rootOf(xml), {})
const stock = (xml: string) => new ExclusiveCanonicalization().process(rootOf(xml), {})

// Expected outputs written from Canonical XML 1.0 §2.2/§2.3 by hand. Each case also shows that
// stock xml-crypto 6.3 differs: when an upgrade fixes it, that assertion fails and the override
// can go.
describe('SpecExclusiveCanonicalization', () => {
  it('orders namespace declarations by code point (B before a), not by locale', () => {
    const xml = '<a xmlns:B="urn:b" xmlns:a="urn:aa" B:x="1" a:y="2"/>'
    expect(spec(xml)).toBe('<a xmlns:B="urn:b" xmlns:a="urn:aa" a:y="2" B:x="1"></a>')
    expect(stock(xml)).not.toBe(spec(xml))
  })

  it('orders attributes by namespace URI first, then local name', () => {
    const xml = '<a xmlns:p="urn:x" xmlns:q="urn:x:y" q:a="2" p:yz="1" z="0"/>'
    expect(spec(xml)).toBe('<a xmlns:p="urn:x" xmlns:q="urn:x:y" z="0" p:yz="1" q:a="2"></a>')
    expect(stock(xml)).not.toBe(spec(xml))
  })

  it('renders processing instructions as such, with or without data', () => {
    expect(spec('<a><?pi some data?><?empty?>t</a>')).toBe('<a><?pi some data?><?empty?>t</a>')
    expect(stock('<a><?pi some data?></a>')).toBe('<a>some data</a>')
  })

  it('leaves the rest to xml-crypto: declarations used, escaping, comments dropped', () => {
    const xml = '<p:a xmlns:p="urn:p" xmlns:unused="urn:u" t="&#9;&quot;&lt;"><b xmlns="urn:d">x &gt; y &amp; z&#13;<!-- c --></b><c xmlns=""/></p:a>'
    expect(spec(xml)).toBe('<p:a xmlns:p="urn:p" t="&#x9;&quot;&lt;"><b xmlns="urn:d">x &gt; y &amp; z&#xD;</b><c></c></p:a>')
  })
})

describe('compareCodePoints', () => {
  it('orders by UCS code point, where UTF-16 code units would put U+10000 before U+FFFF', () => {
    expect(compareCodePoints('\uFFFF', '\u{10000}')).toBe(-1)
    expect('\u{10000}' < '\uFFFF').toBe(true)
    expect(compareCodePoints('a', 'ab')).toBe(-1)
    expect(compareCodePoints('B', 'a')).toBe(-1)
    expect(compareCodePoints('x', 'x')).toBe(0)
  })
})
