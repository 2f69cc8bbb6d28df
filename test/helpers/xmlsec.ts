import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'

/** Fail loudly, with the install command, when a system tool the tests rely on is missing. */
export function requireTool(tool: string, debianPackage: string): void {
  const probe = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' })
  if (probe.status !== 0) {
    throw new Error(`${tool} is not installed; install it with: apt-get install -y ${debianPackage}`)
  }
}

export interface XmlsecResult {
  ok: boolean
  output: string
}

/**
 * Verify a signed document with xmlsec1 (libxmlsec1, an implementation we did not write).
 * `idAttrs` are `--id-attr:<attr> <ns>:<element>` pairs so xmlsec1 can resolve `#id` references.
 */
export function xmlsecVerify(
  xml: string,
  certificatePem: string,
  idAttrs: [string, string][],
  extraArgs: string[] = [],
): XmlsecResult {
  requireTool('xmlsec1', 'xmlsec1')
  const dir = mkdtempSync(join(tmpdir(), 'xmlsec-'))
  try {
    const doc = join(dir, 'signed.xml')
    const cert = join(dir, 'cert.pem')
    writeFileSync(doc, xml)
    writeFileSync(cert, certificatePem)
    const args = ['--verify', '--pubkey-cert-pem', cert]
    for (const [attr, node] of idAttrs) args.push(`--id-attr:${attr}`, node)
    args.push(...extraArgs)
    args.push(doc)
    const res = spawnSync('xmlsec1', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The id attributes of a WS-Security envelope (Timestamp, Body, BinarySecurityToken). */
export function wssecIdAttrs(soapNs: string): [string, string][] {
  return [
    ['Id', `${WSU_NS}:Timestamp`],
    ['Id', `${soapNs}:Body`],
    ['Id', 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd:BinarySecurityToken'],
  ]
}

/** The id attribute of a SAML 1.1 assertion. */
export const SAML_ASSERTION_ID_ATTR: [string, string] = ['AssertionID', 'urn:oasis:names:tc:SAML:1.0:assertion:Assertion']

/** exc-c14n by lxml (libxml2), the reference our canonicalizer is compared with. */
export function lxmlExcC14n(xml: string, xpath: string, namespaces: Record<string, string>, inclusive: string[] = []): string {
  requireTool('/usr/bin/python3', 'python3-lxml')
  const script = `
import sys, json
from lxml import etree
a = json.loads(sys.argv[1])
doc = etree.fromstring(sys.stdin.buffer.read())
el = doc.xpath(a['xpath'], namespaces=a['ns'])[0]
sys.stdout.buffer.write(etree.tostring(el, method='c14n', exclusive=True, with_comments=False, inclusive_ns_prefixes=a['incl'] or None))
`
  return execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify({ xpath, ns: namespaces, incl: inclusive })], {
    input: xml,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
}
