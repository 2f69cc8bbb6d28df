/**
 * The sandbox PKI as the rest of the sandbox sees it. Paths are absolute; keys are node:crypto
 * KeyObjects (plus their PKCS#8 PEM, for tools such as softhsm2-util that want a file).
 */
import type { OrganizationRef, PersonId, QualityRecord } from '../directory-data.js'
import type { CertifiedKey } from './issue-certificate.js'

export type { CertifiedKey } from './issue-certificate.js'

/** The keystores the sandbox issues: three professionals and the R2024.1 STS announcement's example hospital. */
export const KEYSTORE_IDS = ['doctor', 'nurse', 'pharmacist', 'hospital'] as const
export type KeystoreId = (typeof KEYSTORE_IDS)[number]

/** A certified key kept as two PEM files. */
export interface StoredCertifiedKey extends CertifiedKey {
  /** Reference-style DN, e.g. `CN="CBE=0809394427, IAMSANDBOX", OU=…, C=BE`. */
  subject: string
  issuer: string
  certificatePath: string
  /** PKCS#8 PEM, unencrypted, mode 0600. */
  privateKeyPath: string
}

export interface SandboxCa extends StoredCertifiedKey {
  /** The CN, e.g. `TEST eHealth sandbox issuing CA`. */
  name: string
}

/** A personal or organization eHealth PKCS#12 keystore (alias `authentication`, as TC and ICURE read it). */
export interface SandboxKeystore extends CertifiedKey {
  id: KeystoreId
  kind: 'person' | 'organization'
  /** Person or organization name, for display. */
  holder: string
  p12Path: string
  /** Protects both the store and the key. A public demo password. */
  password: string
  alias: string
  subject: string
  issuer: string
  /** Persons. */
  ssin?: string
  quality?: QualityRecord
  /** Organizations. */
  organization?: OrganizationRef
}

/** The two key pairs of a test citizen's eID card, issued by the TEST Citizen CA. */
export interface SandboxEidCard {
  personId: PersonId
  ssin: string
  givenName: string
  surname: string
  authentication: StoredCertifiedKey
  signature: StoredCertifiedKey
}

export interface SandboxPki {
  /** `<stateDir>/pki`. */
  dir: string
  manifestPath: string
  createdAt: Date
  /** The earliest notAfter of all certificates: after it the sandbox needs a fresh PKI. */
  expiresAt: Date
  /** Issues the eHealth keystores and the STS certificate. */
  ehealthCa: SandboxCa
  /** Signs the sandbox STS's assertions. */
  sts: StoredCertifiedKey
  belgiumRootCa: SandboxCa
  /** Issued by `belgiumRootCa`; issues the eID certificates. */
  citizenCa: SandboxCa
  keystores: Record<KeystoreId, SandboxKeystore>
  /** One card per person of the directory. */
  eid: Record<PersonId, SandboxEidCard>
}
