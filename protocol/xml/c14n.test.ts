import { describe, expect, it } from 'vitest'
import { canonicalize } from './c14n.js'
import { canonicalizeElement } from './c14n-stream.js'
import { parseXml } from './parse-xml.js'

// The cases compared with libxml2's exclusive c14n are in c14n.system.test.ts.

describe('canonicalize (exclusive c14n)', () => {
  it('refuses a relative namespace URI inside the canonicalized subtree (Canonical XML 1.0 §2; libxml2 does too, see the system test)', () => {
    const xml = '<r><a xmlns:p="relative/ns"><p:b/></a></r>'
    expect(() => canonicalizeElement(xml, (t) => t.localName === 'a')).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }))
  })

  it('excludes the given node (enveloped-signature transform)', () => {
    const { root } = parseXml('<a><b/><Signature xmlns="urn:sig"><x/></Signature><c/></a>')
    const sig = root.childNodes[1]!
    expect(canonicalize(root, { exclude: sig })).toBe('<a><b></b><c></c></a>')
  })

  it('does not touch the DOM when a PrefixList is given', () => {
    const { root } = parseXml('<s:E xmlns:s="urn:s" xmlns:w="urn:w"><s:B/></s:E>')
    const b = root.firstChild as Element
    canonicalize(b, { inclusivePrefixes: ['w'] })
    expect(b.attributes.length).toBe(0)
  })

  it('handles deep nesting without recursion', () => {
    const depth = 200
    const xml = '<a>'.repeat(depth) + '</a>'.repeat(depth)
    const { root } = parseXml(xml, { maxLength: 1e6, maxDepth: 1000 })
    expect(canonicalize(root)).toBe('<a>'.repeat(depth) + '</a>'.repeat(depth))
  })
})
