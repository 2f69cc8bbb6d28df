/**
 * Keys and certificates for the sandbox PKI. node:crypto makes the keys (native and off the event
 * loop: forge's JS key generation takes seconds per key); node-forge builds and signs the
 * certificates, which node:crypto cannot do.
 */
import { createPrivateKey, generateKeyPair, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import forge from 'node-forge'
import { toForgeAttributes, type DnAttribute } from './distinguished-name.js'

const generateKeyPairAsync = promisify(generateKeyPair)

const DAY_MS = 24 * 3600 * 1000

/** A private key and its certificate, in the forms the sandbox and its tests use. */
export interface CertifiedKey {
  privateKey: KeyObject
  /** PKCS#8 PEM. */
  privateKeyPem: string
  certificatePem: string
  certificate: X509Certificate
  /** Base64 DER, as it appears in ds:X509Certificate and wsse:BinarySecurityToken. */
  certificateBase64: string
  /** Colon-separated SHA-256 fingerprint, as `X509Certificate.fingerprint256`. */
  sha256: string
}

/** What a certificate is for; decides its extensions. */
export const CERTIFICATE_PURPOSES = ['ca', 'sts', 'ehealth', 'eid-authentication', 'eid-signature'] as const
export type CertificatePurpose = (typeof CERTIFICATE_PURPOSES)[number]

export interface IssueOptions {
  subject: readonly DnAttribute[]
  purpose: CertificatePurpose
  /** The issuing CA and its name; absent for a self-signed root. */
  issuer?: { dn: readonly DnAttribute[]; key: CertifiedKey }
  /** The key to certify; a fresh RSA-2048 key when absent. */
  privateKey?: KeyObject
  /** Validity in years from `now` (notBefore is a day before `now`, so a slow clock still accepts it). */
  years: number
  now: Date
}

export async function generateRsaKey(): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 })
  return privateKey
}

export async function issueCertificate(options: IssueOptions): Promise<CertifiedKey> {
  return certifyKey(options, options.privateKey ?? (await generateRsaKey()))
}

/**
 * The same, on this thread: for the few certificates the sandbox makes while it serves (an STS
 * signer rotated mid-session), where an async key generation has no caller to await it.
 */
export function issueCertificateSync(options: IssueOptions): CertifiedKey {
  return certifyKey(options, options.privateKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)
}

function certifyKey(options: IssueOptions, privateKey: KeyObject): CertifiedKey {
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem)

  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e)
  // A positive 16-byte serial: random so that regenerated PKIs never reuse a serial.
  cert.serialNumber = '01' + randomBytes(15).toString('hex')
  cert.validity.notBefore = new Date(options.now.getTime() - DAY_MS)
  const notAfter = new Date(options.now.getTime())
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + options.years)
  cert.validity.notAfter = notAfter
  cert.setSubject(toForgeAttributes(options.subject))
  cert.setIssuer(toForgeAttributes(options.issuer?.dn ?? options.subject))

  const issuerForgeCert = options.issuer ? forge.pki.certificateFromPem(options.issuer.key.certificatePem) : cert
  cert.setExtensions([
    ...extensionsFor(options.purpose),
    { name: 'subjectKeyIdentifier' },
    // Lets chain builders (openssl, Java, .NET) pick the issuer by key, not only by name.
    { name: 'authorityKeyIdentifier', keyIdentifier: issuerForgeCert.generateSubjectKeyIdentifier().getBytes() },
  ])
  const signer = options.issuer ? forge.pki.privateKeyFromPem(options.issuer.key.privateKeyPem) : forgeKey
  cert.sign(signer, forge.md.sha256.create())

  return certifiedKey(createPrivateKey(privateKeyPem), forge.pki.certificateToPem(cert))
}

/** Assemble a CertifiedKey from a key and a PEM certificate (also used when loading from disk). */
export function certifiedKey(privateKey: KeyObject, certificatePem: string): CertifiedKey {
  const certificate = new X509Certificate(certificatePem)
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`the private key does not belong to the certificate ${certificate.subject.replace(/\n/g, ', ')}`)
  }
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: normalizePem(certificatePem),
    certificate,
    certificateBase64: certificate.raw.toString('base64'),
    sha256: certificate.fingerprint256,
  }
}

// Key usages follow the real certificates: eID Authentication is digitalSignature only and
// eID Signature nonRepudiation only (the card keeps them apart); the eHealth certificate signs
// (authentication, HOK) and, in the real platform, also serves ETK encryption.
function extensionsFor(purpose: CertificatePurpose): object[] {
  switch (purpose) {
    case 'ca':
      return [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ]
    case 'sts':
      // As the real STS certificates (ZetesConfidens-issued, 2021 and 2023): CA:FALSE,
      // digitalSignature + nonRepudiation + keyEncipherment, clientAuth + emailProtection.
      return [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true, emailProtection: true },
      ]
    case 'ehealth':
      return [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ]
    case 'eid-authentication':
      return [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ]
    case 'eid-signature':
      return [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', nonRepudiation: true, critical: true },
      ]
  }
}

function normalizePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n').trim() + '\n'
}
