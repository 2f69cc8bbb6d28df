import { createPublicKey, randomBytes, sign as signAsync, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import forge from 'node-forge'

const signWithKey = promisify(signAsync)

export interface SelfSignedCertificateOptions {
  privateKey: KeyObject
  commonName: string
  notBefore: Date
  notAfter: Date
}

/**
 * A self-signed X.509 v3 certificate (RFC 5280) for a key held as a node:crypto KeyObject.
 * node-forge builds the TBSCertificate but never sees the private key: the signature over the
 * TBS DER is made by node:crypto (sha256WithRSAEncryption, RFC 4055 §5) and placed into the
 * certificate, so the key exists in one place only (threats T7).
 */
export async function createSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<Buffer> {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(createPublicKey(options.privateKey).export({ type: 'spki', format: 'pem' }).toString())
  // RFC 5280 §4.1.2.2: a positive integer of at most 20 octets; the leading 01 keeps it positive.
  cert.serialNumber = '01' + randomBytes(15).toString('hex')
  cert.validity.notBefore = options.notBefore
  cert.validity.notAfter = options.notAfter
  const name = [{ shortName: 'CN', value: options.commonName }]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert)
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary')
  const signature = await signWithKey('sha256', tbsDer, options.privateKey)
  cert.tbsCertificate = tbs
  cert.signature = signature.toString('binary')
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary')
}
