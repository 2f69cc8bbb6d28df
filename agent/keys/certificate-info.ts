import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto'
import { AgentError } from '../../protocol/errors.js'
import type { CertificateInfo } from './key-source.js'

/** Parse DER certificate bytes into the form every key source returns. */
export function readCertificateInfo(der: Uint8Array): CertificateInfo {
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength)
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(bytes)
  } catch (cause) {
    throw new AgentError('ERR_KEY_SOURCE', 'the certificate in the key source is not a valid X.509 certificate', { detail: 'certificate unreadable' }, { cause })
  }
  return { certificate, base64: certificate.raw.toString('base64') }
}

/**
 * Refuse a key whose certificate belongs to another key: every signature would fail at eHealth
 * with an opaque error, and the STS would bind the token to a key we do not hold (protocol §1).
 */
export function checkKeyMatchesCertificate(privateKey: KeyObject, certificate: X509Certificate): void {
  const fromKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
  const fromCert = certificate.publicKey.export({ type: 'spki', format: 'der' })
  if (!fromKey.equals(fromCert)) {
    throw new AgentError('ERR_KEY_SOURCE', 'the private key does not match its certificate', { detail: 'key/certificate mismatch' })
  }
}

/** The CN of a certificate subject, for labels ("Jan Peeters (Authentication)"). */
export function readCommonName(certificate: X509Certificate): string | undefined {
  for (const line of certificate.subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3).replace(/^"(.*)"$/, '$1')
  }
  return undefined
}
