/**
 * A minimal DER reader (ITU-T X.690 §8 and §10): enough to read the parts of an X.509 certificate
 * that node:crypto's `X509Certificate` does not expose (the subject as attribute types and string
 * tags, basicConstraints' path length, keyUsage bits, which extensions are critical). Definite
 * lengths only (DER), single-byte tags only (X.509 uses no others). Anything else is refused.
 *
 * @module
 */

/** One DER element: its tag byte and where its content is. */
export interface DerElement {
  /** The identifier octet (class, constructed bit and tag number, X.690 §8.1.2). */
  tag: number
  /** The whole encoding, tag and length included (e.g. for `#hex` renderings and name comparison). */
  encoded: Uint8Array
  /** The content octets. */
  content: Uint8Array
}

/** Universal tags used by X.509 (X.690 §8.1.2.2, X.680 §8.4). */
export const DER_TAGS = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  visibleString: 0x1a,
  generalString: 0x1b,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const

/** Thrown for bytes that are not the DER this reader expects; callers turn it into their own error. */
export class DerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DerError'
  }
}

/**
 * Read one element at `offset`; returns it and the offset after it.
 *
 * @example
 * ```ts
 * const { element } = readDer(certificateDer) // the outer SEQUENCE
 * derChildren(element).length // 3: tbsCertificate, signatureAlgorithm, signatureValue
 * ```
 */
export function readDer(bytes: Uint8Array, offset = 0): { element: DerElement; next: number } {
  if (offset + 2 > bytes.length) throw new DerError('truncated DER element')
  const tag = bytes[offset]!
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not used in X.509')
  let length = bytes[offset + 1]!
  let header = 2
  if (length & 0x80) {
    const count = length & 0x7f
    // X.690 §10.1: definite form only; 4 length bytes are far beyond any certificate.
    if (count === 0 || count > 4) throw new DerError('unsupported DER length')
    if (offset + 2 + count > bytes.length) throw new DerError('truncated DER length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!
    header += count
  }
  const end = offset + header + length
  if (end > bytes.length) throw new DerError('DER element longer than its input')
  return { element: { tag, encoded: bytes.subarray(offset, end), content: bytes.subarray(offset + header, end) }, next: end }
}

/**
 * The elements inside a constructed element (SEQUENCE, SET, an explicit tag).
 *
 * @example
 * ```ts
 * const [tbs] = derChildren(readDer(der).element)
 * ```
 */
export function derChildren(element: DerElement): DerElement[] {
  if (!(element.tag & 0x20)) throw new DerError(`DER tag 0x${element.tag.toString(16)} is not constructed`)
  const out: DerElement[] = []
  for (let offset = 0; offset < element.content.length; ) {
    const { element: child, next } = readDer(element.content, offset)
    out.push(child)
    offset = next
  }
  return out
}

/**
 * An OBJECT IDENTIFIER's content as dotted text (X.690 §8.19).
 *
 * @example
 * ```ts
 * readOid(element) // '2.5.4.3'
 * ```
 */
export function readOid(element: DerElement): string {
  if (element.tag !== DER_TAGS.oid) throw new DerError('expected an OBJECT IDENTIFIER')
  const parts: number[] = []
  let value = 0
  for (const byte of element.content) {
    value = value * 128 + (byte & 0x7f)
    if (!(byte & 0x80)) {
      parts.push(value)
      value = 0
    }
  }
  if (parts.length === 0) throw new DerError('empty OBJECT IDENTIFIER')
  const first = parts[0]!
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
  return [...head, ...parts.slice(1)].join('.')
}

/**
 * UTCTime or GeneralizedTime, as RFC 5280 §4.1.2.5 restricts them (Z, seconds, no fractions).
 *
 * @example
 * ```ts
 * readTime(notAfterElement) // Date for 261006082002Z
 * ```
 */
export function readTime(element: DerElement): Date {
  const text = latin1(element.content)
  let m: RegExpExecArray | null
  if (element.tag === DER_TAGS.utcTime && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
    const yy = Number(m[1])
    return utc(yy >= 50 ? 1900 + yy : 2000 + yy, m.slice(2))
  }
  if (element.tag === DER_TAGS.generalizedTime && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    return utc(Number(m[1]), m.slice(2))
  }
  throw new DerError(`not an RFC 5280 time: "${text.slice(0, 20)}"`)
}

/**
 * A BOOLEAN's value (X.690 §11.1: DER writes TRUE as 0xFF; any non-zero is read as true).
 *
 * @example
 * ```ts
 * readBoolean(criticalElement) // true
 * ```
 */
export function readBoolean(element: DerElement): boolean {
  if (element.tag !== DER_TAGS.boolean || element.content.length !== 1) throw new DerError('expected a BOOLEAN')
  return element.content[0] !== 0
}

/**
 * A small non-negative INTEGER (path lengths, versions).
 *
 * @example
 * ```ts
 * readSmallInteger(pathLenElement) // 0
 * ```
 */
export function readSmallInteger(element: DerElement): number {
  if (element.tag !== DER_TAGS.integer || element.content.length === 0 || element.content.length > 4) throw new DerError('expected a small INTEGER')
  if (element.content[0]! & 0x80) throw new DerError('negative INTEGER')
  let n = 0
  for (const byte of element.content) n = n * 256 + byte
  return n
}

/** Lower-case hex of bytes, as Java writes a `#` value. */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

function utc(year: number, rest: string[]): Date {
  const [mo, d, h, mi, s] = rest.map(Number) as [number, number, number, number, number]
  return new Date(Date.UTC(year, mo - 1, d, h, mi, s))
}

function latin1(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += String.fromCharCode(byte)
  return out
}
