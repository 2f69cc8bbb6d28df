/**
 * A certificate as a person checking it needs to see it: who it names, who issued it, when it is
 * valid and its SHA-256 fingerprint (what eHealth or a colleague can compare over the phone).
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto'
import { formatJavaDn } from './format-java-dn.js'
import { readCertificate } from './read-certificate.js'

/** What {@link describeCertificate} returns; safe to put in an error's data (public information). */
export interface CertificateDescription {
  /** The subject, most specific first, as eHealth's Java components print it. */
  subject: string
  issuer: string
  notBefore: string
  notAfter: string
  /** Colon-separated upper-case hex, as `openssl x509 -fingerprint -sha256` prints it. */
  sha256: string
}

/**
 * Describe a certificate. Falls back to node:crypto's own rendering when the DER cannot be read.
 *
 * @example
 * ```ts
 * describeCertificate(signer)
 * // { subject: 'CN="CBE=0809394427, IAMACC", OU=eHealth-platform Belgium, …', issuer: 'CN=ZetesConfidens …', notBefore: '2023-10-06T08:20:03.000Z', … }
 * ```
 */
export function describeCertificate(certificate: X509Certificate): CertificateDescription {
  try {
    const details = readCertificate(certificate.raw)
    return {
      subject: formatJavaDn(details.subject, 'toString'),
      issuer: formatJavaDn(details.issuer, 'toString'),
      notBefore: details.notBefore.toISOString(),
      notAfter: details.notAfter.toISOString(),
      sha256: certificate.fingerprint256,
    }
  } catch {
    const oneLine = (dn: string) => dn.split('\n').reverse().join(', ')
    return { subject: oneLine(certificate.subject), issuer: oneLine(certificate.issuer), notBefore: certificate.validFrom, notAfter: certificate.validTo, sha256: certificate.fingerprint256 }
  }
}

/**
 * One line for a message: `"<subject>" issued by "<issuer>", valid <from> to <to>, SHA-256 <fp>`.
 *
 * @example
 * ```ts
 * `the token is signed by ${formatCertificateDescription(describeCertificate(signer))}`
 * ```
 */
export function formatCertificateDescription(d: CertificateDescription): string {
  return `"${d.subject}" issued by "${d.issuer}", valid ${d.notBefore} to ${d.notAfter}, SHA-256 ${d.sha256}`
}
