import { describe, expect, it } from 'vitest'
import { decodeXmlBytes } from './decode-xml-bytes.js'
import { scanXml, scanXmlEvents, type StartTag } from './scan-xml.js'

// Rules of XML 1.0 (Fifth Edition) and Namespaces in XML 1.0 (Third Edition), one document each;
// the W3C suite (test/xmlconf) covers them broadly, these name them one by one.
const NOT_WELL_FORMED: [string, string][] = [
  ['a raw "<" in an attribute value (§3.1 [10])', '<a v="</s:Body>>"/>'],
  ['an undeclared entity (WFC: Entity Declared)', '<a>&nbsp;</a>'],
  ['an undeclared entity in an attribute value', '<a v="&x;"/>'],
  ['a reference to U+0000 (WFC: Legal Character)', '<a>&#0;</a>'],
  ['a reference to a surrogate', '<a>&#xD800;</a>'],
  ['a reference beyond U+10FFFF', '<a>&#x110000;</a>'],
  ['a character reference without ";"', '<a>&#65</a>'],
  ['an empty entity reference', '<a>&;</a>'],
  ['"]]>" in character data (§2.4 [14])', '<a>x]]>y</a>'],
  ['"--" in a comment (§2.5 [15])', '<!-- a -- b --><a/>'],
  ['a comment ending in "-"', '<a><!-- a ---></a>'],
  ['an XML declaration that is not at the start', ' <?xml version="1.0"?><a/>'],
  ['a second XML declaration', '<?xml version="1.0"?><?xml version="1.0"?><a/>'],
  ['an XML declaration without version', '<?xml encoding="UTF-8"?><a/>'],
  ['pseudo-attributes in the wrong order', '<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>'],
  ['a PI target "xml" in any case (§2.6 [17])', '<a><?XmL x?></a>'],
  ['a PI target with a colon (Namespaces §7)', '<a><?a:b x?></a>'],
  ['a PI without a target', '<a><? x?></a>'],
  ['a C0 control character (§2.2 [2])', '<a>\u0001</a>'],
  ['a lone surrogate', '<a>\ud800</a>'],
  ['U+FFFF', '<a>\uffff</a>'],
  ['a name starting with a digit (§2.3 [4])', '<1a/>'],
  ['an unquoted attribute value', '<a b=x/>'],
  ['attributes without white space between them', '<a b="x"c="y"/>'],
  ['the same attribute twice (WFC: Unique Att Spec)', '<a b="1" b="2"/>'],
  ['one expanded name twice through two prefixes (Namespaces §6.3)', '<a xmlns:p="urn:x" xmlns:q="urn:x" p:x="1" q:x="2"/>'],
  ['an end tag that does not match (WFC: Element Type Match)', '<a></b>'],
  ['an end tag whose name only starts like the element', '<ab></a>'],
  ['an unclosed element', '<a><b></b>'],
  ['an unclosed CDATA section', '<a><![CDATA[x</a>'],
  ['CDATA outside the root element', '<![CDATA[x]]><a/>'],
  ['a reference outside the root element', '&amp;<a/>'],
  ['text after the root element', '<a/>junk'],
  ['two root elements', '<a/><b/>'],
  ['no root element', '<!-- only a comment -->'],
  ['a name with two colons (Namespaces §4)', '<a:b:c xmlns:a="urn:a"/>'],
  ['an undeclared element prefix (NSC: Prefix Declared)', '<a:b/>'],
  ['an undeclared attribute prefix', '<b x:y="1"/>'],
  ['an element named with the prefix xmlns', '<xmlns:a/>'],
  ['a prefix undeclared with xmlns:p="" (Namespaces 1.0 §5)', '<a xmlns:p=""/>'],
  ['the prefix xml bound to another namespace', '<a xmlns:xml="urn:x"/>'],
  ['the XML namespace bound to another prefix', '<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>'],
  ['the prefix xmlns declared', '<a xmlns:xmlns="urn:x"/>'],
  ['the xmlns namespace as the default', '<a xmlns="http://www.w3.org/2000/xmlns/"/>'],
  ['"<!" that is neither a comment nor CDATA', '<a><!x></a>'],
]

describe('scanXml refuses what XML 1.0 calls not well-formed', () => {
  for (const [name, xml] of NOT_WELL_FORMED) {
    it(`refuses ${name}`, () => {
      expect(() => scanXml(xml)).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }))
    })
  }

  it('finds a repeated attribute among many (raw name, and expanded name through two prefixes)', () => {
    const many = Array.from({ length: 50 }, (_, i) => ` a${i}="1"`).join('')
    expect(() => scanXml(`<e${many}/>`)).not.toThrow()
    expect(() => scanXml(`<e${many} a7="2"/>`)).toThrow(/appears twice/)
    expect(() => scanXml(`<e xmlns:p="urn:x" xmlns:q="urn:x"${many} p:z="1" q:z="2"/>`)).toThrow(/same expanded name/)
  })

  it('says where: the offset of the problem is in error.data', () => {
    expect(() => scanXml('<a><b v="<"/></a>')).toThrow(expect.objectContaining({ data: { offset: 9 } }))
  })

  it('refuses a version other than 1.0 and an encoding other than UTF-8, saying what to do', () => {
    expect(() => scanXml('<?xml version="1.1"?><a/>')).toThrow(/only XML 1.0/)
    expect(() => scanXml('<?xml version="1.0" encoding="UTF-16"?><a/>')).toThrow(/declare encoding="UTF-8"/)
    expect(() => scanXml('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }))
  })

  it('refuses any DTD with ERR_XML_DTD_FORBIDDEN', () => {
    for (const xml of ['<!DOCTYPE a><a/>', '<a><!ENTITY x "y"></a>', '<?xml version="1.0"?><!-- c --><!DOCTYPE a [<!ELEMENT a ANY>]><a/>']) {
      expect(() => scanXml(xml)).toThrow(expect.objectContaining({ code: 'ERR_XML_DTD_FORBIDDEN' }))
    }
  })

  it('applies the size and depth limits', () => {
    expect(() => scanXml('<a>' + 'x'.repeat(100) + '</a>', { maxLength: 50, maxDepth: 10 })).toThrow(expect.objectContaining({ code: 'ERR_XML_TOO_LARGE' }))
    expect(() => scanXml('<a>'.repeat(11) + '</a>'.repeat(11), { maxLength: 1000, maxDepth: 10 })).toThrow(expect.objectContaining({ code: 'ERR_XML_TOO_DEEP' }))
  })
})

describe('scanXml accepts what is well-formed', () => {
  const WELL_FORMED: [string, string][] = [
    ['a byte order mark that survived decoding', '\ufeff<a/>'],
    ['a full XML declaration in single quotes', `<?xml version='1.0' encoding='utf-8' standalone='yes' ?><a/>`],
    ['white space inside tags', '<a\n b = \'x\'\t/>'],
    ['references, non-BMP characters', '<a v="&#x10000;&#9;&quot;">&#65;&lt;&gt;&amp;&apos;😀</a>'],
    ['non-ASCII names', '<é:ü xmlns:é="urn:x" é:ß="1"/>'],
    ['a PI whose target starts with xml', '<?xml-stylesheet href="x"?><a/>'],
    ['an empty comment and "]]" or "]>" in text', '<a><!----><!-- - -->]]&gt; ]> ]]</a>'],
    ['a default namespace undone with xmlns=""', '<a xmlns="urn:a"><b xmlns=""/></a>'],
    ['xml:* attributes without a declaration', '<a xml:lang="en" xml:space="preserve"/>'],
    ['a redundant declaration of the xml prefix', '<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>'],
    ['comments and PIs around the root', '<!-- a --><?p q?>\n<a/>\n<!-- b -->'],
  ]
  for (const [name, xml] of WELL_FORMED) {
    it(`accepts ${name}`, () => {
      expect(() => scanXml(xml)).not.toThrow()
    })
  }

  it('reports names, namespaces and normalized attribute values (XML 1.0 §3.3.3)', () => {
    const tags: { qname: string; ns: string; attrs: [string, string, string][]; plain: boolean }[] = []
    scanXmlEvents('<r xmlns="urn:d" xmlns:p="urn:p"><p:e p:a=" x\r\n\ty&#10;&#9;z " b=\'&lt;&quot;\'/><f/></r>', {
      startElement(t: StartTag) {
        tags.push({ qname: t.qname, ns: t.namespaceURI, attrs: t.attributes.map((a) => [a.namespaceURI, a.localName, a.value]), plain: t.plain })
      },
      endElement() {},
    })
    expect(tags).toEqual([
      { qname: 'r', ns: 'urn:d', attrs: [], plain: false },
      { qname: 'p:e', ns: 'urn:p', attrs: [['urn:p', 'a', ' x  y\n\tz '], ['', 'b', '<"']], plain: false },
      { qname: 'f', ns: 'urn:d', attrs: [], plain: true },
    ])
  })

  it('records the spans of the top elements', () => {
    const xml = '<a><b x="1"/><c>t</c></a>'
    expect(scanXml(xml).map((s) => [s.qname, xml.slice(s.start, s.end)])).toEqual([
      ['a', xml],
      ['b', '<b x="1"/>'],
      ['c', '<c>t</c>'],
    ])
  })
})

describe('decodeXmlBytes', () => {
  it('accepts UTF-8 with or without a byte order mark', () => {
    expect(decodeXmlBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e]))).toBe('<a/>')
    expect(decodeXmlBytes(new TextEncoder().encode('<é/>'))).toBe('<é/>')
  })

  it('refuses invalid UTF-8 and UTF-16 rather than guessing', () => {
    expect(() => decodeXmlBytes(new Uint8Array([0x3c, 0x61, 0xff, 0x2f, 0x3e]))).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }))
    expect(() => decodeXmlBytes(new Uint8Array([0xff, 0xfe, 0x3c, 0x00]))).toThrow(/UTF-16/)
    expect(() => decodeXmlBytes(new Uint8Array([0x3c, 0x00, 0x61, 0x00]))).toThrow(/UTF-16/)
  })
})
