import { describe, expect, it } from 'vitest'
import { canonicalize, childElements, descendants, parseXml } from './index.js'
import { extractElementText } from './extract-element-text.js'

describe('extractElementText', () => {
  it('returns the exact substring when nothing comes from ancestors', () => {
    const text = '<r xmlns:u="urn:unused"><a xmlns="urn:a"  z = "1" >\n <b/><!-- c --></a></r>'
    const { root } = parseXml(text)
    expect(extractElementText(childElements(root)[0]!, text)).toBe('<a xmlns="urn:a"  z = "1" >\n <b/><!-- c --></a>')
  })

  it('adds inherited prefixes used by names, the default namespace, and a redeclared prefix only where used outside', () => {
    const text = '<r xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q"><x p:at="1"><q:y xmlns:q="urn:q2"/></x></r>'
    const { root } = parseXml(text)
    expect(extractElementText(childElements(root)[0]!, text)).toBe('<x xmlns="urn:d" xmlns:p="urn:p" p:at="1"><q:y xmlns:q="urn:q2"/></x>')
  })

  it('finds the right element among same-named siblings and at depth', () => {
    const text = '<r xmlns:s="urn:s"><s:a n="1"/><w><s:a n="2"><s:a n="3"/></s:a></w><s:a n="4"/></r>'
    const { document } = parseXml(text)
    const all = descendants(document, 'urn:s', 'a')
    expect(all.map((el) => extractElementText(el, text))).toEqual([
      '<s:a xmlns:s="urn:s" n="1"/>',
      '<s:a xmlns:s="urn:s" n="2"><s:a n="3"/></s:a>',
      '<s:a xmlns:s="urn:s" n="3"/>',
      '<s:a xmlns:s="urn:s" n="4"/>',
    ])
    for (const el of all) expect(canonicalize(parseXml(extractElementText(el, text)).root)).toBe(canonicalize(el))
  })

  it('refuses text that is not the element\'s document', () => {
    const { root } = parseXml('<r><a/></r>')
    expect(() => extractElementText(childElements(root)[0]!, '<r><b/></r>')).toThrow(expect.objectContaining({ code: 'ERR_INTERNAL' }))
  })
})
