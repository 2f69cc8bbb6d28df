import type { X509Certificate } from 'node:crypto'
import { identifyCertificateHolder } from '../certificate-holder.js'
import type { ClaimSubject } from '../directory.js'

/**
 * Who a (chain-validated) certificate names, as the STS needs it: the directory subject
 * (identifyCertificateHolder) plus its subject and issuer DNs for the token's NameIdentifier.
 */
export function subjectOfCertificate(cert: X509Certificate): ClaimSubject & { dn: string; issuerDn: string } {
  return { ...(identifyCertificateHolder(cert) ?? {}), dn: rfc1779(cert.subject), issuerDn: rfc1779(cert.issuer) }
}

/** Node prints one RDN per line, most significant first; a DN is written the other way round. */
function rfc1779(nodeDn: string): string {
  return nodeDn.split('\n').reverse().join(', ')
}
