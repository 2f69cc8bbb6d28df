/**
 * X.509 certification path validation (RFC 5280 §6.1) for one purpose: deciding whether a
 * certificate was issued, directly or through intermediates, by one of a small set of CA
 * certificates the caller trusts (the environment's bundle). The path is built from those CAs
 * only (RFC 4158 style: depth-first, every candidate issuer tried), and it must end at a
 * self-signed CA of the set. Along it: every signature verified (node:crypto), every certificate
 * valid at the given time, names chained, each CA a CA (basicConstraints cA), allowed to sign
 * certificates (keyUsage keyCertSign when present) and within its pathLenConstraint, and no
 * critical extension this code does not understand. Revocation (CRL, OCSP) is not checked.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto'
import { DerError } from './der.js'
import { readCertificate, type CertificateDetails, type DistinguishedName } from './read-certificate.js'

/** Options of {@link validateCertificatePath}. */
export interface PathValidationOptions {
  /** The trusted CA certificates, issuing and root; the path is built from these only. */
  cas: readonly X509Certificate[]
  /** The time at which every certificate of the path must be valid. */
  at: Date
  /** Most certificates in a path, the end-entity included; default 6. */
  maxLength?: number
}

/** A valid path, from the end-entity certificate to the self-signed CA that anchors it. */
export interface ValidatedPath {
  certificates: X509Certificate[]
  details: CertificateDetails[]
}

/** Why no valid path was found: the reason that got furthest. */
export class PathValidationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PathValidationError'
  }
}

/**
 * Extensions this validator processes or may ignore when critical (RFC 5280 §4.2: a critical
 * extension that is not recognized makes the certificate unusable). certificatePolicies: no
 * policy is required here (the anyPolicy case of §6.1); CRL DP and AIA: revocation is not checked.
 */
const UNDERSTOOD_EXTENSIONS = new Set([
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.37', // extKeyUsage
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.32', // certificatePolicies
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
  '2.5.29.17', // subjectAltName
])

/**
 * Find and check a path from `leaf` to a self-signed CA among `options.cas`.
 *
 * @throws PathValidationError naming what failed (no issuer among the CAs, a signature, a
 * validity period, a CA constraint), for the path that got furthest.
 *
 * @example
 * ```ts
 * const path = validateCertificatePath(stsCertificate, { cas: bundle, at: assertion.issueInstant })
 * path.certificates.at(-1)?.subject // the root it chains to
 * ```
 */
export function validateCertificatePath(leaf: X509Certificate, options: PathValidationOptions): ValidatedPath {
  const maxLength = options.maxLength ?? 6
  const at = options.at
  const cas = options.cas.map((certificate) => ({ certificate, details: safeRead(certificate) }))
  const leafDetails = safeRead(leaf)
  if (leafDetails instanceof PathValidationError) throw leafDetails
  let best: { depth: number; error: PathValidationError } = { depth: -1, error: new PathValidationError('no certification path') }
  const fail = (depth: number, message: string) => {
    if (depth > best.depth) best = { depth, error: new PathValidationError(message) }
  }

  const checkOwn = (certificate: X509Certificate, details: CertificateDetails, depth: number): boolean => {
    if (at < details.notBefore || at >= new Date(details.notAfter.getTime() + 1000)) {
      fail(depth, `${nameOf(certificate)} was not valid at ${at.toISOString()} (valid from ${details.notBefore.toISOString()} to ${details.notAfter.toISOString()})`)
      return false
    }
    const unknown = details.extensions.find((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid))
    if (unknown) {
      fail(depth, `${nameOf(certificate)} has a critical extension this agent does not process (${unknown.oid})`)
      return false
    }
    return true
  }

  const extend = (path: { certificate: X509Certificate; details: CertificateDetails }[]): ValidatedPath | undefined => {
    const depth = path.length
    const child = path[depth - 1]!
    if (depth > 1 && isSelfIssued(child.details) && child.certificate.verify(child.certificate.publicKey)) {
      return { certificates: path.map((p) => p.certificate), details: path.map((p) => p.details) }
    }
    if (depth >= maxLength) {
      fail(depth, `no path of at most ${maxLength} certificates leads from ${nameOf(leaf)} to a trusted root`)
      return undefined
    }
    const candidates = cas.filter(
      (ca): ca is { certificate: X509Certificate; details: CertificateDetails } =>
        !(ca.details instanceof PathValidationError) &&
        sameName(ca.details.subject, child.details.issuer) &&
        !path.some((p) => p.certificate.raw.equals(ca.certificate.raw)) &&
        keyIdsAgree(child.details, ca.details),
    )
    if (candidates.length === 0) fail(depth, `no trusted CA has the name of the issuer of ${nameOf(child.certificate)} (${issuerNameOf(child.certificate)})`)
    for (const ca of candidates) {
      if (!child.certificate.verify(ca.certificate.publicKey)) {
        fail(depth, `the signature on ${nameOf(child.certificate)} does not verify with the key of the trusted CA ${nameOf(ca.certificate)}`)
        continue
      }
      if (!checkOwn(ca.certificate, ca.details, depth)) continue
      const constraints = ca.details.basicConstraints
      if (!constraints?.ca) {
        fail(depth, `${nameOf(ca.certificate)} is not a CA certificate (basicConstraints cA is not set)`)
        continue
      }
      if (ca.details.keyUsage && !ca.details.keyUsage.has('keyCertSign')) {
        fail(depth, `${nameOf(ca.certificate)} may not sign certificates (its keyUsage lacks keyCertSign)`)
        continue
      }
      // RFC 5280 §4.2.1.9: the number of non-self-issued intermediate CA certificates that may
      // follow this one in the path (between it and the end entity).
      const below = path.slice(1).filter((p) => !isSelfIssued(p.details)).length
      if (constraints.pathLength !== undefined && below > constraints.pathLength) {
        fail(depth, `the path length constraint of ${nameOf(ca.certificate)} (${constraints.pathLength}) is exceeded: ${below} CA certificate(s) below it`)
        continue
      }
      const found = extend([...path, ca])
      if (found) return found
    }
    return undefined
  }

  if (!checkOwn(leaf, leafDetails, 0)) throw best.error
  const found = extend([{ certificate: leaf, details: leafDetails }])
  if (!found) throw best.error
  return found
}

/**
 * RFC 5280 §7.1 name matching, simplified to what CA names need: the same RDNs in the same order,
 * each attribute with the same type and the same value once case, leading and trailing spaces and
 * runs of inner spaces are set aside (the RFC 4518 string preparation's main effects).
 *
 * @example
 * ```ts
 * sameName(readCertificate(ca.raw).subject, readCertificate(leaf.raw).issuer)
 * ```
 */
export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  if (a.length !== b.length) return false
  return a.every((rdn, i) => {
    const other = b[i]!
    if (rdn.length !== other.length) return false
    const key = (x: (typeof rdn)[number]) => `${x.oid}=${x.text === undefined ? Buffer.from(x.encoded).toString('hex') : prepare(x.text)}`
    const mine = rdn.map(key).sort()
    const theirs = other.map(key).sort()
    return mine.every((k, j) => k === theirs[j])
  })
}

function prepare(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase()
}

function isSelfIssued(details: CertificateDetails): boolean {
  return sameName(details.subject, details.issuer)
}

/** When the child names its issuer's key and the CA names its own, they must agree (RFC 5280 §4.2.1.1). */
function keyIdsAgree(child: CertificateDetails, ca: CertificateDetails): boolean {
  if (!child.authorityKeyId || !ca.subjectKeyId) return true
  return Buffer.from(child.authorityKeyId).equals(Buffer.from(ca.subjectKeyId))
}

function safeRead(certificate: X509Certificate): CertificateDetails | PathValidationError {
  try {
    return readCertificate(certificate.raw)
  } catch (err) {
    if (err instanceof DerError) return new PathValidationError(`the certificate ${nameOf(certificate)} cannot be read: ${err.message}`)
    throw err
  }
}

function nameOf(certificate: X509Certificate): string {
  return `"${oneLine(certificate.subject)}"`
}

function issuerNameOf(certificate: X509Certificate): string {
  return oneLine(certificate.issuer)
}

/** node:crypto prints a DN one attribute per line, in DER order; on one line, most specific first. */
function oneLine(nodeDn: string): string {
  return nodeDn.split('\n').reverse().join(', ')
}
