/**
 * The parts of an X.509 certificate (RFC 5280 §4.1) that path validation and DN rendering need and
 * that node:crypto's `X509Certificate` does not give: names as attribute types and string tags in
 * DER order (multi-valued RDNs kept), the validity as dates, basicConstraints with its path
 * length, the keyUsage bits, the key identifiers, and which extensions are critical. Signatures
 * are still checked by node:crypto (`X509Certificate.verify`).
 *
 * @module
 */
import { DER_TAGS, DerError, derChildren, readBoolean, readDer, readOid, readSmallInteger, readTime, type DerElement } from './der.js'

/** One AttributeTypeAndValue of a name (RFC 5280 §4.1.2.4). */
export interface NameAttribute {
  /** Dotted OID, e.g. `2.5.4.3` for commonName. */
  oid: string
  /** The value's DER tag (UTF8String 0x0c, PrintableString 0x13, …). */
  tag: number
  /** The value decoded as text, or undefined when its type is not a string type Java reads as text. */
  text: string | undefined
  /** The value's whole DER encoding (for Java's `#hex` form of a non-string value). */
  encoded: Uint8Array
}

/** A name: its RDNs in DER order (the country first, in eHealth's certificates), each a set of attributes. */
export type DistinguishedName = readonly (readonly NameAttribute[])[]

/** The keyUsage bits of RFC 5280 §4.2.1.3, in bit order. */
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const
export type KeyUsage = (typeof KEY_USAGES)[number]

/** What {@link readCertificate} returns. */
export interface CertificateDetails {
  subject: DistinguishedName
  issuer: DistinguishedName
  /** The DER of the subject and issuer Names, for exact comparison. */
  subjectDer: Uint8Array
  issuerDer: Uint8Array
  notBefore: Date
  notAfter: Date
  /** Undefined when the certificate has no basicConstraints extension. */
  basicConstraints: { ca: boolean; pathLength: number | undefined } | undefined
  /** Undefined when the certificate has no keyUsage extension. */
  keyUsage: ReadonlySet<KeyUsage> | undefined
  subjectKeyId: Uint8Array | undefined
  authorityKeyId: Uint8Array | undefined
  /** Every extension's OID and criticality, in certificate order. */
  extensions: readonly { oid: string; critical: boolean }[]
}

const OIDS = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
} as const

/**
 * Read a certificate's DER.
 *
 * @throws DerError for bytes that are not a certificate this reader understands.
 *
 * @example
 * ```ts
 * const details = readCertificate(new X509Certificate(pem).raw)
 * details.basicConstraints // { ca: true, pathLength: 0 }
 * details.keyUsage?.has('digitalSignature')
 * ```
 */
export function readCertificate(der: Uint8Array): CertificateDetails {
  const outer = readDer(der).element
  const [tbs] = derChildren(outer)
  if (!tbs || tbs.tag !== DER_TAGS.sequence) throw new DerError('no tbsCertificate')
  const fields = derChildren(tbs)
  // version [0] EXPLICIT is present for v2/v3 certificates.
  let i = fields[0]?.tag === 0xa0 ? 1 : 0
  i += 2 // serialNumber, signature
  const issuerEl = need(fields[i++], 'issuer')
  const validity = derChildren(need(fields[i++], 'validity'))
  const subjectEl = need(fields[i++], 'subject')
  i++ // subjectPublicKeyInfo
  let extensionsEl: DerElement | undefined
  for (; i < fields.length; i++) if (fields[i]!.tag === 0xa3) extensionsEl = fields[i]

  const details: CertificateDetails = {
    subject: readName(subjectEl),
    issuer: readName(issuerEl),
    subjectDer: subjectEl.encoded,
    issuerDer: issuerEl.encoded,
    notBefore: readTime(need(validity[0], 'notBefore')),
    notAfter: readTime(need(validity[1], 'notAfter')),
    basicConstraints: undefined,
    keyUsage: undefined,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    extensions: [],
  }
  if (!extensionsEl) return details
  const extensions: { oid: string; critical: boolean }[] = []
  for (const ext of derChildren(need(derChildren(extensionsEl)[0], 'extensions'))) {
    const parts = derChildren(ext)
    const oid = readOid(need(parts[0], 'extnID'))
    const critical = parts.length === 3 ? readBoolean(parts[1]!) : false
    const value = need(parts[parts.length - 1], 'extnValue')
    if (value.tag !== DER_TAGS.octetString) throw new DerError('extnValue is not an OCTET STRING')
    extensions.push({ oid, critical })
    const inner = value.content.length > 0 ? readDer(value.content).element : undefined
    if (!inner) continue
    if (oid === OIDS.basicConstraints) details.basicConstraints = readBasicConstraints(inner)
    else if (oid === OIDS.keyUsage) details.keyUsage = readKeyUsage(inner)
    else if (oid === OIDS.subjectKeyId && inner.tag === DER_TAGS.octetString) details.subjectKeyId = inner.content
    else if (oid === OIDS.authorityKeyId && inner.tag === DER_TAGS.sequence) {
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT KeyIdentifier OPTIONAL, … }
      details.authorityKeyId = derChildren(inner).find((c) => c.tag === 0x80)?.content
    }
  }
  details.extensions = extensions
  return details
}

/**
 * A Name (RFC 5280 §4.1.2.4) as RDNs in DER order.
 *
 * @example
 * ```ts
 * readName(readDer(subjectDer).element)[0] // [{ oid: '2.5.4.6', text: 'BE', … }]
 * ```
 */
export function readName(element: DerElement): DistinguishedName {
  if (element.tag !== DER_TAGS.sequence) throw new DerError('a Name is a SEQUENCE')
  return derChildren(element).map((rdn) => {
    if (rdn.tag !== DER_TAGS.set) throw new DerError('an RDN is a SET')
    const attributes = derChildren(rdn).map((atv) => {
      const [type, value] = derChildren(atv)
      if (!type || !value) throw new DerError('an AttributeTypeAndValue has a type and a value')
      return { oid: readOid(type), tag: value.tag, text: decodeString(value), encoded: value.encoded }
    })
    if (attributes.length === 0) throw new DerError('an empty RDN')
    return attributes
  })
}

/**
 * The text of a directory string, decoded as Java's `DerValue.getAsString` does (the STS and the
 * Technical Connector print names with Java): UTF8String, PrintableString, IA5String,
 * GeneralString (ASCII), TeletexString (ISO 8859-1), BMPString (UTF-16BE), UniversalString
 * (UTF-32BE). Any other type (VisibleString included) has no text: Java writes it as `#hex`.
 */
function decodeString(value: DerElement): string | undefined {
  const bytes = value.content
  switch (value.tag) {
    case DER_TAGS.utf8String:
      return new TextDecoder('utf-8').decode(bytes)
    case DER_TAGS.printableString:
    case DER_TAGS.ia5String:
    case DER_TAGS.generalString:
      return String.fromCharCode(...Array.from(bytes, (b) => (b < 0x80 ? b : 0xfffd)))
    case DER_TAGS.teletexString:
      return String.fromCharCode(...bytes)
    case DER_TAGS.bmpString:
      return new TextDecoder('utf-16be').decode(bytes)
    case DER_TAGS.universalString: {
      let out = ''
      for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0)
      return out
    }
    default:
      return undefined
  }
}

function readBasicConstraints(inner: DerElement): CertificateDetails['basicConstraints'] {
  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
  let ca = false
  let pathLength: number | undefined
  for (const part of derChildren(inner)) {
    if (part.tag === DER_TAGS.boolean) ca = readBoolean(part)
    else if (part.tag === DER_TAGS.integer) pathLength = readSmallInteger(part)
  }
  return { ca, pathLength }
}

function readKeyUsage(inner: DerElement): ReadonlySet<KeyUsage> {
  if (inner.tag !== DER_TAGS.bitString || inner.content.length === 0) throw new DerError('keyUsage is not a BIT STRING')
  const usages = new Set<KeyUsage>()
  // The first content octet counts the unused bits; bit 0 is the most significant bit of the next.
  const bits = inner.content.subarray(1)
  KEY_USAGES.forEach((name, bit) => {
    const byte = bits[bit >> 3]
    if (byte !== undefined && byte & (0x80 >> (bit & 7))) usages.add(name)
  })
  return usages
}

function need(element: DerElement | undefined, what: string): DerElement {
  if (!element) throw new DerError(`the certificate has no ${what}`)
  return element
}
