/**
 * Who a (chain-validated) certificate belongs to, in the directory's terms. Reads the identifier
 * the way TC/ICURE's CertificateParser does: the `TYPE=digits` OU of an eHealth
 * certificate (`SSIN=…`, `NIHII-HOSPITAL=…`), or the serialNumber of an eID certificate.
 * It trusts the name as written, so call it only after checking the chain to a sandbox CA.
 */
import type { X509Certificate } from 'node:crypto'
import { ORGANIZATION_TYPES, type OrganizationType } from './directory-data.js'
import type { ClaimSubject } from './directory.js'

/** `{ ssin }` for a person, `{ organization }` for an organization, undefined when neither is found. */
export function identifyCertificateHolder(certificate: X509Certificate): ClaimSubject | undefined {
  // Node lists one `KEY=value` per line, C first; `=` inside a value stays unescaped, `,` is escaped.
  const lines = certificate.subject.split('\n')
  const ous = lines.filter((l) => l.startsWith('OU=')).map((l) => l.slice(3))

  const ssinOu = ous.map((ou) => /^SSIN=(\d{11})$/.exec(ou)).find((m) => m)
  if (ssinOu) return { ssin: ssinOu[1]! }

  for (const ou of ous) {
    const m = /^NIHII-([A-Z]+)=(\d{8})$/.exec(ou)
    const type = m?.[1]!.toLowerCase()
    if (m && isOrganizationType(type)) return { organization: { type, nihii: m[2]! } }
  }

  // An eID certificate: a given name, a surname and the SSIN as serialNumber.
  const eidSerial = lines.map((l) => /^serialNumber=(\d{11})$/.exec(l)).find((m) => m)
  if (eidSerial && lines.some((l) => l.startsWith('GN=')) && lines.some((l) => l.startsWith('SN='))) return { ssin: eidSerial[1]! }
  return undefined
}

function isOrganizationType(value: string | undefined): value is OrganizationType {
  return (ORGANIZATION_TYPES as readonly string[]).includes(value ?? '')
}
