import type { X509Certificate } from 'node:crypto'
import type { ProfileIdentity } from '../../protocol/sts/claims.js'

/**
 * The identifiers a profile's claims need, read from the identification certificate: an eHealth
 * personal certificate carries `SSIN=<ssin>` (the DN layout TC/ICURE's `CertificateParser` reads),
 * an eID certificate the SSIN as its serialNumber, an organization certificate an OU
 * `<TYPE>=<number>` (NIHII-HOSPITAL=71089914, CBE=0809394427, EHP=…).
 */
export function identityFromCertificate(certificate: X509Certificate): ProfileIdentity {
  const subject = certificate.subject
  const identity: ProfileIdentity = {}
  const ssin = /SSIN=(\d{11})/.exec(subject)?.[1] ?? /serialNumber=(\d{11})/i.exec(subject)?.[1]
  if (ssin) identity.ssin = ssin
  const nihii = /OU=NIHII-[A-Z]+=(\d{8,11})/.exec(subject)?.[1]
  if (nihii) identity.nihii = nihii
  const cbe = /OU=CBE=(\d{10})/.exec(subject)?.[1]
  if (cbe) identity.cbe = cbe
  const ehp = /OU=EHP=(\d+)/.exec(subject)?.[1]
  if (ehp) identity.ehp = ehp
  return identity
}
