export { loadOrCreateSandboxPki, PKI_SUBDIR } from './load-or-create-sandbox-pki.js'
export { loadSandboxPki } from './load-sandbox-pki.js'
export { createSandboxPki, SANDBOX_KEYSTORE_PASSWORD } from './create-sandbox-pki.js'
export { describeSandboxPki } from './describe-sandbox-pki.js'
export { issueCertificate, generateRsaKey, certifiedKey, CERTIFICATE_PURPOSES, type CertificatePurpose, type IssueOptions } from './issue-certificate.js'
export { buildPkcs12, readPkcs12, EHEALTH_KEYSTORE_ALIAS } from './pkcs12.js'
export { formatDn, type DnAttribute, type DnKey } from './distinguished-name.js'
export {
  BELGIUM_ROOT_CA_DN,
  CITIZEN_CA_DN,
  EHEALTH_CA_DN,
  STS_DN,
  EID_KEY_ROLES,
  eidDn,
  ehealthOrganizationDn,
  ehealthPersonDn,
  organizationIdentifier,
  type EidKeyRole,
} from './sandbox-names.js'
export { MANIFEST_FILE, type SandboxPkiManifest } from './manifest.js'
export * from './types.js'
