import { describe, expect, it } from 'vitest'
import { lxmlExcC14n } from '../../test/helpers/xmlsec.js'
import { canonicalize } from './c14n.js'
import { canonicalizeElement } from './c14n-stream.js'
import { parseXml } from './parse-xml.js'

// Each case is canonicalized by us and by lxml (libxml2); the outputs must be identical. What
// needs no outside reference is in c14n.test.ts.
const CASES: { name: string; xml: string; ns: string; local: string; incl?: string[] }[] = [
  {
    name: 'inherited prefix used by the apex, unused ones dropped',
    xml: '<s:Envelope xmlns:s="urn:s" xmlns:x="urn:x" xmlns:u="urn:u"><s:Body u:Id="b" z="2" a="1"><m xmlns="urn:m"><n>t &amp; &lt; &gt; "q"</n></m></s:Body></s:Envelope>',
    ns: 'urn:s',
    local: 'Body',
  },
  {
    name: 'default namespace inherited and undone',
    xml: '<a xmlns="urn:d"><b><c xmlns=""><d/></c></b></a>',
    ns: 'urn:d',
    local: 'b',
  },
  {
    name: 'attribute sorting across namespaces, escapes in attributes',
    xml: '<r xmlns:p="urn:p" xmlns:q="urn:q"><e q:b="1" p:b="2" b="3" a="x&#9;y&#10;z&#13;&lt;&amp;&quot;"/></r>',
    ns: '',
    local: 'e',
  },
  {
    name: 'comments removed, PIs kept, CDATA as text, CR escaped',
    xml: '<r><e><!-- c --><?pi data?><![CDATA[<x>&]]>a&#13;b</e></r>',
    ns: '',
    local: 'e',
  },
  {
    name: 'InclusiveNamespaces PrefixList renders an unused ancestor prefix',
    xml: '<s:E xmlns:s="urn:s" xmlns:w="urn:w" xmlns:k="urn:k"><s:B><c/></s:B></s:E>',
    ns: 'urn:s',
    local: 'B',
    incl: ['w'],
  },
  {
    name: 'redeclared prefix on a descendant',
    xml: '<p:a xmlns:p="urn:1"><p:b><p:c xmlns:p="urn:2"/><p:d/></p:b></p:a>',
    ns: 'urn:1',
    local: 'b',
  },
  {
    name: 'xml:lang stays, xml prefix never declared',
    xml: '<r xml:lang="en"><m xml:lang="nl">x</m></r>',
    ns: '',
    local: 'm',
  },
]

describe('canonicalize (exclusive c14n), compared with libxml2', () => {
  for (const c of CASES) {
    it(`matches libxml2: ${c.name}`, () => {
      const { root } = parseXml(c.xml)
      const target = findElement(root, c.ns, c.local)
      const ours = canonicalize(target, { inclusivePrefixes: c.incl })
      const xpath = c.ns ? `//t:${c.local}` : `//${c.local}`
      const theirs = lxmlExcC14n(c.xml, xpath, c.ns ? { t: c.ns } : {}, c.incl)
      expect(ours).toBe(theirs)
      const streamed = canonicalizeElement(c.xml, (t) => t.localName === c.local && t.namespaceURI === c.ns, { inclusivePrefixes: c.incl })
      expect(streamed).toBe(theirs)
    })
  }

  it('refuses a relative namespace URI inside the canonicalized subtree, as libxml2 does (Canonical XML 1.0 §2)', () => {
    const xml = '<r><a xmlns:p="relative/ns"><p:b/></a></r>'
    expect(() => canonicalizeElement(xml, (t) => t.localName === 'a')).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }))
    expect(() => lxmlExcC14n(xml, '//a', {})).toThrow()
  })
})

function findElement(root: Element, ns: string, local: string): Element {
  const stack: Node[] = [root]
  while (stack.length) {
    const n = stack.shift()!
    if (n.nodeType === 1) {
      const el = n as Element
      if (el.localName === local && (el.namespaceURI ?? '') === ns) return el
    }
    for (let i = 0; i < n.childNodes.length; i++) stack.push(n.childNodes[i]!)
  }
  throw new Error(`no ${local} in the test document`)
}
