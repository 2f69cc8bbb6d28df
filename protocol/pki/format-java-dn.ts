/**
 * Distinguished names written the way Java's `javax.security.auth.x500.X500Principal` writes
 * them, because the two Java programs eHealth's STS exchange involves do:
 * - the official Technical Connector (TC) puts `getName(X500Principal.RFC1779)` of the
 *   identification certificate's subject and issuer into the SAML-P request's NameIdentifier,
 *   NameQualifier and inner Assertion Issuer (TC class `AbstractSTSService`, method
 *   `generateNameIdentifier`; e-Contract/mycarenet `RequestFactory` does the same);
 * - the STS writes NameIdentifier and NameQualifier of the tokens it issues in the
 *   `X500Principal.toString()` form (a real acceptance token, taktik/freehealth-connector
 *   `compiled/RECIPE.1.9.1/examples/command-line/session.xml`: `SERIALNUMBER=001` where
 *   RFC 1779 mode would print `OID.2.5.4.5=001`).
 *
 * Both forms (checked against OpenJDK 17, see the tests): the most specific RDN first (the
 * reverse of the DER order), `", "` between RDNs, `" + "` between the attributes of a
 * multi-valued RDN in DER order; a keyword from the mode's table or else `OID.<dotted oid>`; the
 * value quoted when it holds one of `, + = < > # ; \ "` or a newline, starts or ends with a space
 * or newline, or holds two of those in a row, with `"` and `\` escaped; a value Java cannot read as
 * a string written `#` and its DER in lower-case hex. This is neither RFC 2253 (backslash escapes)
 * nor what `openssl` or node:crypto print.
 *
 * @module
 */
import { toHex } from './der.js'
import type { DistinguishedName, NameAttribute } from './read-certificate.js'

/**
 * RFC 1779 mode's keywords: Java's `AVAKeyword` entries marked RFC 1779 compliant. Every other
 * type is written `OID.n.n.n`.
 */
const RFC1779_KEYWORDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
}

/** `toString()`'s keywords: the whole `AVAKeyword` table (the last name given to an OID wins, as in Java's map). */
const DEFAULT_KEYWORDS: Readonly<Record<string, string>> = {
  ...RFC1779_KEYWORDS,
  '2.5.4.12': 'T',
  '1.3.6.1.4.1.42.2.11.2.1': 'IP',
  '0.9.2342.19200300.100.1.25': 'DC',
  '2.5.4.46': 'DNQ',
  '2.5.4.4': 'SURNAME',
  '2.5.4.42': 'GIVENNAME',
  '2.5.4.43': 'INITIALS',
  '2.5.4.44': 'GENERATION',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  '0.9.2342.19200300.100.1.1': 'UID',
  '2.5.4.5': 'SERIALNUMBER',
}

/** Which Java rendering: `getName(X500Principal.RFC1779)` or `toString()`. */
export type JavaDnForm = 'rfc1779' | 'toString'

/**
 * A name as Java's `X500Principal` prints it.
 *
 * @example
 * ```ts
 * const { subject } = readCertificate(eidCertificate.raw)
 * formatJavaDn(subject, 'rfc1779') // 'OID.2.5.4.5=71715100070, OID.2.5.4.42=Alice, OID.2.5.4.4=SPECIMEN, CN=Alice SPECIMEN (Authentication), C=BE'
 * formatJavaDn(subject, 'toString') // 'SERIALNUMBER=71715100070, GIVENNAME=Alice, SURNAME=SPECIMEN, CN=Alice SPECIMEN (Authentication), C=BE'
 * ```
 */
export function formatJavaDn(name: DistinguishedName, form: JavaDnForm): string {
  const keywords = form === 'rfc1779' ? RFC1779_KEYWORDS : DEFAULT_KEYWORDS
  return [...name]
    .reverse()
    .map((rdn) => rdn.map((attribute) => `${keywords[attribute.oid] ?? `OID.${attribute.oid}`}=${formatValue(attribute)}`).join(' + '))
    .join(', ')
}

// Java's `AVA.toKeywordValueString`: the characters that force quoting, and PrintableString's
// alphabet (X.680 §41.4), whose members are the ones checked for leading/double whitespace.
const SPECIALS = ',+=\n<>#;\\"'
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]$/

function formatValue(attribute: NameAttribute): string {
  const value = attribute.text
  if (value === undefined) return `#${toHex(attribute.encoded)}`
  const chars = Array.from(value)
  // A value already between double quotes is printed as it is, its inner characters still escaped.
  const alreadyQuoted = chars.length > 1 && chars[0] === '"' && chars[chars.length - 1] === '"'
  let quote = false
  let previousWhite = false
  let out = ''
  chars.forEach((c, i) => {
    if (alreadyQuoted && (i === 0 || i === chars.length - 1)) {
      out += c
      return
    }
    const white = c === ' ' || c === '\n'
    if (PRINTABLE.test(c) || SPECIALS.includes(c)) {
      if ((i === 0 && white) || SPECIALS.includes(c)) quote = true
      if (white) {
        if (previousWhite) quote = true
        previousWhite = true
      } else {
        if (c === '"' || c === '\\') out += '\\'
        previousWhite = false
      }
    } else {
      previousWhite = false
    }
    out += c
  })
  const last = out[out.length - 1]
  if (last === ' ' || last === '\n') quote = true
  return !alreadyQuoted && quote ? `"${out}"` : out
}
