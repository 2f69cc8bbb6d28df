import type { X509Certificate } from 'node:crypto'
import type { ClaimSubject } from '../directory.js'
import { findOrganization } from '../directory.js'

/**
 * Who a certificate names, as the STS sees it: an eHealth personal certificate carries
 * `SSIN=<ssin>` in its CN/OU (reference §7), an eID certificate the SSIN as serialNumber, an
 * organization certificate an OU `<TYPE>=<number>` such as `NIHII-HOSPITAL=71089914`.
 */
export function subjectOfCertificate(cert: X509Certificate): ClaimSubject & { dn: string; issuerDn: string } {
  const subject = cert.subject
  const dn = subject.split('\n').reverse().join(', ')
  const issuerDn = cert.issuer.split('\n').reverse().join(', ')
  const ssin = /SSIN=(\d{11})/.exec(subject)?.[1] ?? /serialNumber=(\d{11})/i.exec(subject)?.[1]
  if (ssin) return { ssin, dn, issuerDn }
  const org = /OU=(?:NIHII-)?([A-Z]+)=(\d+)/.exec(subject)
  if (org) {
    const found = findOrganization(org[1]!.toLowerCase(), org[2]!)
    if (found) return { organization: found, dn, issuerDn }
  }
  return { dn, issuerDn }
}
