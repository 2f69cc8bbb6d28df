/**
 * `manifest.json`, the index of the PKI directory: what exists, where (paths relative to the
 * directory, so it can be moved), the demo passwords, subjects, SSIN and NIHII numbers. It is
 * written last, so a directory with a manifest is complete. `ehagent sandbox` prints from it.
 */
import type { OrganizationRef, PersonId, QualityRecord } from '../directory-data.js'
import type { KeystoreId } from './types.js'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_FORMAT = 'ehealth-agent-sandbox-pki'
export const MANIFEST_VERSION = 1

export interface ManifestCertificate {
  subject: string
  issuer: string
  /** Relative path of the PEM certificate. */
  certificate: string
  /** Relative path of the PKCS#8 PEM key. */
  privateKey: string
  sha256: string
  notAfter: string
}

export interface ManifestKeystore {
  id: KeystoreId
  kind: 'person' | 'organization'
  holder: string
  /** Relative path of the .p12 file. */
  p12: string
  password: string
  alias: string
  subject: string
  issuer: string
  sha256: string
  notAfter: string
  ssin?: string
  quality?: QualityRecord
  organization?: OrganizationRef
}

export interface ManifestEidCard {
  personId: PersonId
  ssin: string
  givenName: string
  surname: string
  authentication: ManifestCertificate
  signature: ManifestCertificate
}

export interface SandboxPkiManifest {
  format: typeof MANIFEST_FORMAT
  version: typeof MANIFEST_VERSION
  notice: string
  createdAt: string
  cas: { ehealth: ManifestCertificate; belgiumRoot: ManifestCertificate; citizen: ManifestCertificate }
  sts: ManifestCertificate
  keystores: ManifestKeystore[]
  eid: ManifestEidCard[]
}

export const MANIFEST_NOTICE =
  'TEST PKI of the ehealth-agent sandbox. Trusted by nothing but the sandbox. ' +
  'Passwords and PINs here are public demo values; never reuse them or these keys elsewhere.'

/** Parse and shape-check a manifest; throws with the path on anything unexpected. */
export function parseManifest(text: string, path: string): SandboxPkiManifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`)
  }
  const m = value as Partial<SandboxPkiManifest> | null
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) throw new Error(`${path} is not a sandbox PKI manifest`)
  if (m.version !== MANIFEST_VERSION) {
    throw new Error(`${path} has version ${String(m.version)}, this agent reads version ${MANIFEST_VERSION}; delete its directory to regenerate the sandbox PKI`)
  }
  if (!m.cas?.ehealth || !m.cas.belgiumRoot || !m.cas.citizen || !m.sts || !Array.isArray(m.keystores) || !Array.isArray(m.eid)) {
    throw new Error(`${path} is incomplete; delete its directory to regenerate the sandbox PKI`)
  }
  return m as SandboxPkiManifest
}
