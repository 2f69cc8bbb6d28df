/**
 * Whether a certificate may sign eHealth STS assertions for an environment, judged the way the
 * real STS certificates are made rather than by an exact copy of one of them: the STS signer
 * rotates every few years, from one CA to another (acceptance: a QuoVadis-issued certificate
 * valid 2018-04 to 2021-04, then ZetesConfidens-issued ones 2021-01 to 2024-01 and 2023-10 to
 * 2026-10; public copies in taktik/freehealth-connector and icure/freehealth-connector
 * `src/main/resources/{acpt,prod}/truststore.jks`, egelke/eHI and egelke/etee
 * `library-core-tests/files/IAMACC.cer`), while its subject stays the same.
 *
 * Every generation of the real signer names eHealth the same way, in DER order:
 * `C=BE, O=Federal Government, OU=<IAM OU>, OU=CBE=0809394427, OU=EHEALTH-PLATFORM,
 * OU=eHealth-platform Belgium, CN=CBE=0809394427, <IAM OU>`, where the IAM OU is `IAM` in
 * production, `IAMACC` in acceptance and `IAMINT` in integration (0809394427 is the eHealth
 * platform's enterprise number). That OU is what tells an acceptance signer from a production
 * one: both are issued by the same ZetesConfidens CA.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto'
import { DerError } from '../pki/der.js'
import { readCertificate, type DistinguishedName } from '../pki/read-certificate.js'
import { PathValidationError, validateCertificatePath } from '../pki/validate-certificate-path.js'

/** The enterprise-number OU and CN prefix of eHealth's own certificates. */
export const EHEALTH_CBE = 'CBE=0809394427'
/** The OU naming the eHealth platform in its certificates. */
export const EHEALTH_PLATFORM_OU = 'eHealth-platform Belgium'
const FEDERAL_GOVERNMENT = 'Federal Government'

const OID = { cn: '2.5.4.3', c: '2.5.4.6', o: '2.5.4.10', ou: '2.5.4.11' } as const

/**
 * How an environment's STS signer is recognised: the CAs that may issue it (the environment's
 * bundle) and the IAM OU its subject carries.
 */
export interface StsSignerChain {
  /** CA certificates, issuing and root; a signer must chain to a self-signed one of them. */
  cas: readonly X509Certificate[]
  /** `IAM` (production), `IAMACC` (acceptance), `IAMINT` (integration), or the sandbox's. */
  signerOu: string
}

/** The verdict of {@link checkStsSigner}. */
export type StsSignerVerdict = { trusted: true } | { trusted: false; reason: string }

/**
 * Check `certificate` as the signer of an assertion issued at `at`: its subject names the
 * environment's STS, it allows digital signatures and is no CA, and it chains to a CA of
 * `chain.cas` with every certificate valid at `at` (validateCertificatePath).
 *
 * @example
 * ```ts
 * const verdict = checkStsSigner(signer, { cas: accBundle, signerOu: 'IAMACC' }, assertionIssueInstant)
 * if (!verdict.trusted) console.log(verdict.reason)
 * ```
 */
export function checkStsSigner(certificate: X509Certificate, chain: StsSignerChain, at: Date): StsSignerVerdict {
  let subject: DistinguishedName
  let details
  try {
    details = readCertificate(certificate.raw)
    subject = details.subject
  } catch (err) {
    if (err instanceof DerError) return { trusted: false, reason: `the certificate cannot be read (${err.message})` }
    throw err
  }
  const naming = describeSubjectMismatch(subject, chain.signerOu)
  if (naming) return { trusted: false, reason: naming }
  if (!details.keyUsage?.has('digitalSignature')) return { trusted: false, reason: 'its keyUsage does not allow digital signatures' }
  if (details.basicConstraints?.ca) return { trusted: false, reason: 'it is a CA certificate, not an STS signing certificate' }
  try {
    validateCertificatePath(certificate, { cas: chain.cas, at })
  } catch (err) {
    if (err instanceof PathValidationError) return { trusted: false, reason: err.message }
    throw err
  }
  return { trusted: true }
}

/**
 * Why `subject` does not name the environment's STS, or undefined when it does. Attributes the
 * real certificates do not carry are tolerated (a future generation may add one); the ones they
 * carry must be there with exactly these values.
 *
 * @example
 * ```ts
 * describeSubjectMismatch(readCertificate(prodSigner.raw).subject, 'IAMACC') // 'its subject has no OU=IAMACC …'
 * ```
 */
export function describeSubjectMismatch(subject: DistinguishedName, signerOu: string): string | undefined {
  const values = (oid: string) => subject.flat().filter((a) => a.oid === oid).map((a) => a.text)
  const expectedCn = `${EHEALTH_CBE}, ${signerOu}`
  const single = (oid: string, label: string, expected: string): string | undefined => {
    const found = values(oid)
    return found.length === 1 && found[0] === expected ? undefined : `its subject's ${label} is ${found.length ? found.map((v) => `"${v ?? '?'}"`).join(', ') : 'missing'}, not "${expected}"`
  }
  const mismatch = single(OID.c, 'C', 'BE') ?? single(OID.o, 'O', FEDERAL_GOVERNMENT) ?? single(OID.cn, 'CN', expectedCn)
  if (mismatch) return `it is not named as the eHealth STS of this environment: ${mismatch}`
  const ous = values(OID.ou)
  const missing = [signerOu, EHEALTH_CBE, EHEALTH_PLATFORM_OU].filter((ou) => !ous.includes(ou))
  if (missing.length > 0) return `it is not named as the eHealth STS of this environment: its subject has no ${missing.map((m) => `OU=${m}`).join(', ')}`
  return undefined
}
