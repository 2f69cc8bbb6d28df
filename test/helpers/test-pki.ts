import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto'
import forge from 'node-forge'

/** A key pair with its certificate, in every form the tests need. */
export interface TestIdentity {
  privateKey: KeyObject
  privateKeyPem: string
  certificatePem: string
  /** Base64 DER, as it appears in ds:X509Certificate and BinarySecurityToken. */
  certificateBase64: string
  certificate: X509Certificate
}

export interface TestIdentityOptions {
  /** Subject attributes in order, e.g. [['CN','Test STS'],['O','Federal Government'],['C','BE']]. */
  subject?: [string, string][]
  /** Signs the certificate; self-signed when absent. */
  issuer?: TestIdentity
  isCa?: boolean
  /** Validity in days from yesterday; default 365. */
  days?: number
  /** An exact validity period instead of `days`. */
  validity?: { notBefore: Date; notAfter: Date }
  /** basicConstraints pathLenConstraint (CAs). */
  pathLength?: number
  /** keyUsage bits instead of the default (keyCertSign+cRLSign for a CA, digitalSignature otherwise); null leaves keyUsage out. */
  keyUsage?: Record<string, boolean> | null
  /** More extensions, in node-forge's form (e.g. an unknown critical one). */
  extraExtensions?: object[]
  modulusLength?: number
}

/**
 * Make an RSA key and an X.509 certificate for a test, generated fresh (no key is committed).
 * Node generates the key (fast, native); node-forge builds and signs the certificate.
 */
export function createTestIdentity(options: TestIdentityOptions = {}): TestIdentity {
  const subject = options.subject ?? [['CN', 'ehealth-agent test'], ['C', 'BE']]
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem)
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e)

  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  cert.serialNumber = '01' + randomBytes(8).toString('hex')
  const now = Date.now()
  cert.validity.notBefore = options.validity?.notBefore ?? new Date(now - 24 * 3600 * 1000)
  cert.validity.notAfter = options.validity?.notAfter ?? new Date(now + (options.days ?? 365) * 24 * 3600 * 1000)
  const attrs = subject.map(([shortName, value]) => attribute(shortName, value))
  cert.setSubject(attrs)
  const issuerCert = options.issuer ? forge.pki.certificateFromPem(options.issuer.certificatePem) : undefined
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : attrs)
  const keyUsage =
    options.keyUsage === null
      ? []
      : [{ name: 'keyUsage', ...(options.keyUsage ?? (options.isCa ? { keyCertSign: true, cRLSign: true } : { digitalSignature: true })), critical: true }]
  cert.setExtensions([
    { name: 'basicConstraints', cA: options.isCa ?? false, ...(options.pathLength !== undefined ? { pathLenConstraint: options.pathLength } : {}), critical: true },
    ...keyUsage,
    { name: 'subjectKeyIdentifier' },
    ...(options.extraExtensions ?? []),
  ])
  const signer = options.issuer ? forge.pki.privateKeyFromPem(options.issuer.privateKeyPem) : forgeKey
  cert.sign(signer, forge.md.sha256.create())

  const certificatePem = forge.pki.certificateToPem(cert)
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes()
  const certificateBase64 = forge.util.encode64(der)
  return {
    privateKey: createPrivateKey(privateKeyPem),
    privateKeyPem,
    certificatePem,
    certificateBase64,
    certificate: new X509Certificate(certificatePem),
  }
}

function attribute(shortName: string, value: string): forge.pki.CertificateField {
  // serialNumber and givenName have no forge short name; use their OIDs.
  const oids: Record<string, string> = { SERIALNUMBER: '2.5.4.5', GIVENNAME: '2.5.4.42', SURNAME: '2.5.4.4' }
  const oid = oids[shortName.toUpperCase()]
  return oid ? { type: oid, value } : { shortName, value }
}

const cache = new Map<string, TestIdentity>()

/** The same identity for every test of a process that asks for `name` (keygen is not free). */
export function sharedTestIdentity(name: string, options: TestIdentityOptions = {}): TestIdentity {
  let id = cache.get(name)
  if (!id) {
    id = createTestIdentity({ subject: [['CN', name], ['C', 'BE']], ...options })
    cache.set(name, id)
  }
  return id
}
