import { execFileSync } from 'node:child_process'
import { requireTool } from './xmlsec.js'

/**
 * Parsers we did not write, for the files the installer generates: Python's plistlib (Apple's
 * property-list format, DOCTYPE and all) and xml.etree (any encoding the XML declaration names).
 */

/** A property list parsed by plistlib, as JSON. */
export function parsePlistWithPython(text: string): Record<string, unknown> {
  requireTool('/usr/bin/python3', 'python3')
  const script = 'import plistlib, sys, json; json.dump(plistlib.loads(sys.stdin.buffer.read()), sys.stdout)'
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' })) as Record<string, unknown>
}

/** An XML element as xml.etree sees it: namespace-qualified tag, attributes, text, children. */
export interface PyXmlElement {
  tag: string
  attrib: Record<string, string>
  text: string
  children: PyXmlElement[]
}

/** Parse XML bytes (in whatever encoding they declare) with xml.etree; throws when not well-formed. */
export function parseXmlWithPython(bytes: Uint8Array): PyXmlElement {
  requireTool('/usr/bin/python3', 'python3')
  const script = `
import sys, json
import xml.etree.ElementTree as ET
def conv(e):
    return {'tag': e.tag, 'attrib': dict(e.attrib), 'text': (e.text or '').strip(), 'children': [conv(c) for c in e]}
json.dump(conv(ET.fromstring(sys.stdin.buffer.read())), sys.stdout)
`
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: Buffer.from(bytes), encoding: 'utf8' })) as PyXmlElement
}

/** The first descendant whose tag ends with `}name` (or equals it). */
export function findElement(root: PyXmlElement, path: string[]): PyXmlElement | undefined {
  let current: PyXmlElement | undefined = root
  for (const name of path) {
    current = current?.children.find((c) => c.tag === name || c.tag.endsWith(`}${name}`))
    if (!current) return undefined
  }
  return current
}
