import type { X509Certificate } from 'node:crypto'
import { formatJavaDn } from '../../../protocol/pki/format-java-dn.js'
import { readCertificate } from '../../../protocol/pki/read-certificate.js'
import { identifyCertificateHolder } from '../certificate-holder.js'
import type { ClaimSubject } from '../directory.js'

/**
 * Who a (chain-validated) certificate names, as the STS needs it: the directory subject
 * (identifyCertificateHolder) plus its subject and issuer DNs for the token's NameIdentifier,
 * written as the real STS writes them: derived from the certificate, not copied from the request,
 * in Java's `X500Principal.toString()` form (a real acceptance token carries
 * `NameQualifier="CN=TEST-ZetesConfidens-eHealth acceptance test-issuing CA 001, SERIALNUMBER=001, O=ZETES SA, C=BE"`
 * for a request that said `OID.2.5.4.5=001`).
 */
export function subjectOfCertificate(cert: X509Certificate): ClaimSubject & { dn: string; issuerDn: string } {
  const { subject, issuer } = readCertificate(cert.raw)
  return { ...(identifyCertificateHolder(cert) ?? {}), dn: formatJavaDn(subject, 'toString'), issuerDn: formatJavaDn(issuer, 'toString') }
}
