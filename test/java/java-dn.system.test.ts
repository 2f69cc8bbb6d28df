import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatJavaDn } from '../../protocol/pki/format-java-dn.js'
import { readCertificate } from '../../protocol/pki/read-certificate.js'
import { requireTool } from '../helpers/xmlsec.js'

// Java's X500Principal, the implementation the Technical Connector and the STS print names with,
// checks protocol/pki/format-java-dn.ts: on the certificates of the golden strings, and on
// certificates generated here with names no eHealth certificate has (every string type, every
// special character, multi-valued RDNs, unknown attribute types, non-string values).

const JAVA_SOURCE = `
import java.io.FileInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;

public class PrintNames {
  public static void main(String[] args) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    for (String path : args) {
      X509Certificate c;
      try (FileInputStream in = new FileInputStream(path)) { c = (X509Certificate) factory.generateCertificate(in); }
      X500Principal s = c.getSubjectX500Principal();
      X500Principal i = c.getIssuerX500Principal();
      System.out.println(escape(s.getName(X500Principal.RFC1779)) + "\\t" + escape(s.toString()) + "\\t" + escape(i.getName(X500Principal.RFC1779)) + "\\t" + escape(i.toString()));
    }
  }
  // JSON string escapes for everything outside printable ASCII, so a name is one field of one line.
  static String escape(String v) {
    StringBuilder b = new StringBuilder();
    for (char ch : v.toCharArray()) {
      if (ch < 0x20 || ch > 0x7e || ch == '\\\\' || ch == '"') b.append(String.format("\\\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.toString();
  }
}
`

let dir: string
beforeAll(() => {
  requireTool('javac', 'openjdk-17-jdk-headless')
  dir = mkdtempSync(join(tmpdir(), 'java-dn-'))
  writeFileSync(join(dir, 'PrintNames.java'), JAVA_SOURCE)
  execFileSync('javac', ['-d', dir, join(dir, 'PrintNames.java')], { stdio: 'pipe' })
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface JavaNames {
  subject: { rfc1779: string; toString: string }
  issuer: { rfc1779: string; toString: string }
}

/** Java's four renderings of each certificate file. */
function javaNames(files: string[]): JavaNames[] {
  const out = execFileSync('java', ['-cp', dir, 'PrintNames', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [a, b, c, d] = line.split('\t').map((f) => JSON.parse(`"${f}"`) as string)
      return { subject: { rfc1779: a!, toString: b! }, issuer: { rfc1779: c!, toString: d! } }
    })
}

function ours(der: Uint8Array): JavaNames {
  const { subject, issuer } = readCertificate(der)
  return {
    subject: { rfc1779: formatJavaDn(subject, 'rfc1779'), toString: formatJavaDn(subject, 'toString') },
    issuer: { rfc1779: formatJavaDn(issuer, 'rfc1779'), toString: formatJavaDn(issuer, 'toString') },
  }
}

const derOfPem = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')

describe('Java confirms the golden DN strings', () => {
  it('for the real and generated certificates of test/fixtures/real-ehealth', () => {
    const base = new URL('../fixtures/real-ehealth/', import.meta.url).pathname
    const files = [
      ...readdirSync(join(base, 'dn')).map((f) => join(base, 'dn', f)),
      ...readdirSync(join(base, 'sts')).map((f) => join(base, 'sts', f)),
      join(base, 'person-ssin-80011904703_test-zetes_2020-09-07_2021-09-08.pem'),
    ]
    const java = javaNames(files)
    files.forEach((file, i) => expect(ours(derOfPem(readFileSync(file, 'utf8'))), file).toEqual(java[i]))
    // The goldens of the unit tests, as Java prints them here and now.
    const eid = java[files.findIndex((f) => f.endsWith('test-eid-alice-auth.pem'))]!
    expect(eid.subject.rfc1779).toBe('OID.2.5.4.5=71715100070, OID.2.5.4.42=Alice, OID.2.5.4.4=SPECIMEN, CN=Alice SPECIMEN (Authentication), C=BE')
    const person = java[files.findIndex((f) => f.includes('person-ssin-80011904703'))]!
    expect(person.subject.rfc1779).toBe('CN="SSIN=80011904703", OU=eHealth-platform Belgium, OU=BRUNO CASNEUF, OU="SSIN=80011904703", O=Federal Government, C=BE')
    expect(person.issuer.toString).toBe('CN=TEST-ZetesConfidens-eHealth acceptance test-issuing CA 001, SERIALNUMBER=001, O=ZETES SA, C=BE')
  })
})

describe('Java agrees with formatJavaDn on generated names', () => {
  it('300 certificates with random names: every string type, special characters, multi-valued RDNs, unknown types', () => {
    const random = mulberry32(0x13_1779)
    const spki = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' })
    const files: string[] = []
    const ders: Buffer[] = []
    for (let n = 0; n < 300; n++) {
      const der = certificate(randomName(random), randomName(random), spki, n + 1)
      const file = join(dir, `generated-${n}.der`)
      writeFileSync(file, der)
      files.push(file)
      ders.push(der)
    }
    const java = javaNames(files)
    expect(java).toHaveLength(300)
    ders.forEach((der, i) => expect(ours(der), `generated-${i}.der`).toEqual(java[i]))
  }, 120_000)
})

// ---- generating certificates with arbitrary names (DER written by hand: forge and OpenSSL
// cannot make multi-valued RDNs with chosen string types) ----

const TYPES = [
  '2.5.4.3', '2.5.4.6', '2.5.4.7', '2.5.4.8', '2.5.4.10', '2.5.4.11', '2.5.4.9', '2.5.4.5', '2.5.4.42', '2.5.4.4', '2.5.4.12',
  '0.9.2342.19200300.100.1.25', '0.9.2342.19200300.100.1.1', '1.2.840.113549.1.9.1', '2.5.4.46', '2.5.4.43', '2.5.4.44',
  '1.3.6.1.4.1.42.2.11.2.1', '2.5.4.97', '1.2.3.4.5',
]
const TAGS = { utf8: 0x0c, printable: 0x13, teletex: 0x14, ia5: 0x16, visible: 0x1a, general: 0x1b, universal: 0x1c, bmp: 0x1e, octet: 0x04 } as const
const PRINTABLE = "abcXYZ019 '()+,-./:=?"
const SPECIAL = ' ,+=<>#;\\"\n\t'
const WIDE = ['é', 'ü', '\u00a0', '€', 'Ω', '中', '😀', '&', '~', '|', '%', '!']

function randomName(random: () => number): Buffer[] {
  const rdns: Buffer[] = []
  const count = 1 + Math.floor(random() * 6)
  for (let r = 0; r < count; r++) {
    const avas: Buffer[] = []
    const size = random() < 0.2 ? 2 + Math.floor(random() * 2) : 1
    for (let a = 0; a < size; a++) avas.push(sequence(oid(TYPES[Math.floor(random() * TYPES.length)]!), randomValue(random)))
    // DER: the members of a SET OF in the order of their encodings.
    avas.sort(Buffer.compare)
    rdns.push(tlv(0x31, Buffer.concat(avas)))
  }
  return rdns
}

function randomValue(random: () => number): Buffer {
  const kinds = Object.keys(TAGS) as (keyof typeof TAGS)[]
  const kind = kinds[Math.floor(random() * kinds.length)]!
  const length = Math.floor(random() * 9)
  const pick = (alphabet: readonly string[]) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('')
  const ascii = [...PRINTABLE, ...SPECIAL, '"ab"', '  ']
  switch (kind) {
    case 'printable':
      return tlv(TAGS.printable, Buffer.from(pick([...PRINTABLE, '  ']), 'latin1'))
    case 'ia5':
    case 'visible':
    case 'general':
      return tlv(TAGS[kind], Buffer.from(pick(ascii), 'latin1'))
    case 'teletex':
      return tlv(TAGS.teletex, Buffer.from(pick([...ascii, 'é', 'ü', '\u00a0']), 'latin1'))
    case 'utf8':
      return tlv(TAGS.utf8, Buffer.from(random() < 0.1 ? `"${pick(ascii)}"` : pick([...ascii, ...WIDE]), 'utf8'))
    case 'bmp':
      return tlv(TAGS.bmp, Buffer.from(pick([...ascii, ...WIDE.filter((c) => c.length === 1)]), 'utf16le').swap16())
    case 'universal': {
      const text = pick([...ascii, ...WIDE])
      return tlv(TAGS.universal, Buffer.concat(Array.from(text, (c) => { const b = Buffer.alloc(4); b.writeUInt32BE(c.codePointAt(0)!); return b })))
    }
    case 'octet':
      return tlv(TAGS.octet, Buffer.from(pick([...PRINTABLE]), 'latin1'))
  }
}

function certificate(subject: Buffer[], issuer: Buffer[], spki: Buffer, serial: number): Buffer {
  const algorithm = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]))
  const time = (s: string) => tlv(0x17, Buffer.from(s, 'latin1'))
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))),
    tlv(0x02, Buffer.from([serial >> 8, serial & 0xff])),
    algorithm,
    sequence(...issuer),
    sequence(time('250101000000Z'), time('350101000000Z')),
    sequence(...subject),
    spki,
  )
  // Java parses a certificate without checking its signature: any bytes will do here.
  return sequence(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(128, 0x5a)])))
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, content])
}

function sequence(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts))
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]]
  const bytes = [40 * a + b]
  for (const part of rest) {
    const chunk = [part & 0x7f]
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** A small seeded generator: the same names on every run. */
function mulberry32(seed: number): () => number {
  let t = seed
  return () => {
    t = (t + 0x6d2b79f5) | 0
    let r = Math.imul(t ^ (t >>> 15), 1 | t)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
}
