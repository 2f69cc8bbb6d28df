import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { formatJavaDn } from './format-java-dn.js'
import { readCertificate, type NameAttribute } from './read-certificate.js'

// Golden strings printed by OpenJDK 17 (X500Principal.getName(RFC1779) and toString()) for the
// certificates under test/fixtures/real-ehealth (their sources are in its PROVENANCE.md);
// test/java/java-dn.system.test.ts checks more names against the Java on this machine.
const FIXTURES = new URL('../../test/fixtures/real-ehealth/', import.meta.url)
const read = (path: string) => readCertificate(new X509Certificate(readFileSync(new URL(path, FIXTURES))).raw)

describe('formatJavaDn: real eHealth certificates', () => {
  it('the acceptance STS signer, all three generations: one subject, quoted CN and CBE OU', () => {
    for (const file of ['iamacc_quovadis_2018-04-10_2021-04-10.pem', 'iamacc_zetes-ca001_2021-01-11_2024-01-12.pem', 'iamacc_zetes-ca001_2023-10-06_2026-10-06.pem']) {
      const { subject } = read(`sts/${file}`)
      const expected = 'CN="CBE=0809394427, IAMACC", OU=eHealth-platform Belgium, OU=EHEALTH-PLATFORM, OU="CBE=0809394427", OU=IAMACC, O=Federal Government, C=BE'
      expect(formatJavaDn(subject, 'rfc1779')).toBe(expected)
      expect(formatJavaDn(subject, 'toString')).toBe(expected)
    }
  })

  it('the production STS signer and its ZetesConfidens issuer (serialNumber: OID.2.5.4.5 vs SERIALNUMBER)', () => {
    const cert = read('sts/iam_zetes-ca001_2023-10-06_2026-10-06.pem')
    expect(formatJavaDn(cert.subject, 'rfc1779')).toBe('CN="CBE=0809394427, IAM", OU=eHealth-platform Belgium, OU=EHEALTH-PLATFORM, OU="CBE=0809394427", OU=IAM, O=Federal Government, C=BE')
    expect(formatJavaDn(cert.issuer, 'rfc1779')).toBe('CN=ZetesConfidens Private Trust PKI - eHealth issuing CA 001, OID.2.5.4.5=001, O=ZETES SA, C=BE')
    expect(formatJavaDn(cert.issuer, 'toString')).toBe('CN=ZetesConfidens Private Trust PKI - eHealth issuing CA 001, SERIALNUMBER=001, O=ZETES SA, C=BE')
  })

  it('an eHealth personal certificate: exactly the NameIdentifier of the real acceptance token', () => {
    const cert = read('person-ssin-80011904703_test-zetes_2020-09-07_2021-09-08.pem')
    const value = 'CN="SSIN=80011904703", OU=eHealth-platform Belgium, OU=BRUNO CASNEUF, OU="SSIN=80011904703", O=Federal Government, C=BE'
    expect(formatJavaDn(cert.subject, 'rfc1779')).toBe(value)
    expect(formatJavaDn(cert.issuer, 'rfc1779')).toBe('CN=TEST-ZetesConfidens-eHealth acceptance test-issuing CA 001, OID.2.5.4.5=001, O=ZETES SA, C=BE')
    // The STS writes the toString() form into the token (SERIALNUMBER=, not OID.2.5.4.5=).
    const token = readFileSync(new URL('acc-sts-saml11-assertion_2020-10-27_recipe-1.9.1-session.xml', FIXTURES), 'utf8')
    expect(token).toContain(`NameQualifier="${formatJavaDn(cert.issuer, 'toString').replace(/"/g, '&quot;')}"`)
    expect(token).toContain(`>${value}</NameIdentifier>`)
  })

  it('an eID certificate: C, CN, SN, GN, serialNumber in DER order print most specific first, OID. for non-RFC 1779 types', () => {
    const cert = read('dn/test-eid-alice-auth.pem')
    expect(formatJavaDn(cert.subject, 'rfc1779')).toBe('OID.2.5.4.5=71715100070, OID.2.5.4.42=Alice, OID.2.5.4.4=SPECIMEN, CN=Alice SPECIMEN (Authentication), C=BE')
    expect(formatJavaDn(cert.subject, 'toString')).toBe('SERIALNUMBER=71715100070, GIVENNAME=Alice, SURNAME=SPECIMEN, CN=Alice SPECIMEN (Authentication), C=BE')
    expect(formatJavaDn(cert.issuer, 'rfc1779')).toBe('OID.2.5.4.5=201901, CN=Citizen CA, C=BE')
    // The real Government CA (the eID CA family): same layout.
    expect(formatJavaDn(read('dn/belgium-government-ca-20142.pem').subject, 'rfc1779')).toBe('OID.2.5.4.5=201402, CN=Government CA, C=BE')
  })

  it('an organization certificate and the MYCARENET layout', () => {
    expect(formatJavaDn(read('dn/test-ehealth-org-hospital.pem').subject, 'rfc1779')).toBe(
      'CN="NIHII-HOSPITAL=71022212, MYAPP", OU=eHealth-platform Belgium, OU=HOPITAL TEST, OU="NIHII-HOSPITAL=71022212", OU=MYAPP, O=Federal Government, C=BE',
    )
    expect(formatJavaDn(read('dn/test-ehealth-person-alice-mycarenet.pem').subject, 'rfc1779')).toBe(
      'CN="SSIN=71715100070", OU="SSIN=71715100070", OU=MYCARENET, OU=eHealth-platform Belgium, O=Federal Government, C=BE',
    )
  })

  it('edge cases: every keyword, quoting, escapes, a multi-valued RDN, accents', () => {
    const { subject } = read('dn/test-edgecases.pem')
    expect(formatJavaDn(subject, 'rfc1779')).toBe(
      'OID.2.5.4.5=123 + CN=Élise O\'Brien, OID.1.2.840.113549.1.9.1=jdoe@example.be, OID.0.9.2342.19200300.100.1.1=jdoe, OID.0.9.2342.19200300.100.1.25=example, OU="a+b=c", OU="#hash start", OU=" leading and trailing space ", O="Café <Test> & Co; \\"Quoted\\"", STREET=Rue de la Loi 16, L=Bruxelles, ST=Brussels, C=BE',
    )
    expect(formatJavaDn(subject, 'toString')).toBe(
      'SERIALNUMBER=123 + CN=Élise O\'Brien, EMAILADDRESS=jdoe@example.be, UID=jdoe, DC=example, OU="a+b=c", OU="#hash start", OU=" leading and trailing space ", O="Café <Test> & Co; \\"Quoted\\"", STREET=Rue de la Loi 16, L=Bruxelles, ST=Brussels, C=BE',
    )
  })
})

/** A one-attribute name, for the rules Java applies to single values. */
function cn(text: string | undefined, encoded: number[] = []): NameAttribute[][] {
  return [[{ oid: '2.5.4.3', tag: 0x0c, text, encoded: Uint8Array.from(encoded) }]]
}

describe('formatJavaDn: value rules (each observed on OpenJDK 17)', () => {
  it.each([
    ['a  b', 'CN="a  b"'],
    ['a\\b', 'CN="a\\\\b"'],
    ['a"b', 'CN="a\\"b"'],
    ['a,b', 'CN="a,b"'],
    ['a=b', 'CN="a=b"'],
    ['a;b', 'CN="a;b"'],
    ['a<b', 'CN="a<b"'],
    ['#ab', 'CN="#ab"'],
    [' ab', 'CN=" ab"'],
    ['ab ', 'CN="ab "'],
    ['a\nb', 'CN="a\nb"'],
    ["a'b&c/d:e(f)", "CN=a'b&c/d:e(f)"],
    ['café', 'CN=café'],
    ['a\u00a0', 'CN=a\u00a0'], // a no-break space is not white space to Java
    ['a\tb', 'CN=a\tb'], // nor is a tab
    ['a~b|c{}%!', 'CN=a~b|c{}%!'],
    ['"abc"', 'CN="abc"'], // already quoted: left as it is
    ['"a"b"', 'CN="a\\"b"'], // already quoted: inner quotes still escaped
    ['"', 'CN="\\""'],
    ['', 'CN='],
  ])('%j -> %s', (value, expected) => {
    expect(formatJavaDn(cn(value), 'rfc1779')).toBe(expected)
  })

  it('a value that is not a string type is written # and its DER in lower-case hex', () => {
    expect(formatJavaDn(cn(undefined, [0x02, 0x01, 0x0a]), 'rfc1779')).toBe('CN=#02010a')
    expect(formatJavaDn([[{ oid: '1.2.3.4', tag: 0x04, text: undefined, encoded: Uint8Array.from([0x04, 0x02, 0x1a, 0xbc]) }]], 'toString')).toBe('OID.1.2.3.4=#04021abc')
  })

  it('keywords: RFC 1779 mode knows seven, toString the rest of Java\'s table', () => {
    const name = (oid: string) => [[{ oid, tag: 0x0c, text: 'x', encoded: new Uint8Array() }]]
    const cases: [string, string, string][] = [
      ['2.5.4.12', 'OID.2.5.4.12=x', 'T=x'],
      ['2.5.4.46', 'OID.2.5.4.46=x', 'DNQ=x'],
      ['2.5.4.43', 'OID.2.5.4.43=x', 'INITIALS=x'],
      ['2.5.4.44', 'OID.2.5.4.44=x', 'GENERATION=x'],
      ['1.3.6.1.4.1.42.2.11.2.1', 'OID.1.3.6.1.4.1.42.2.11.2.1=x', 'IP=x'],
      ['2.5.4.97', 'OID.2.5.4.97=x', 'OID.2.5.4.97=x'],
      ['2.5.4.8', 'ST=x', 'ST=x'],
      ['2.5.4.9', 'STREET=x', 'STREET=x'],
    ]
    for (const [oid, rfc1779, toString] of cases) {
      expect(formatJavaDn(name(oid), 'rfc1779')).toBe(rfc1779)
      expect(formatJavaDn(name(oid), 'toString')).toBe(toString)
    }
  })
})
