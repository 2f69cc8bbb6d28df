/**
 * `manifest.json`, the index of the PKI directory: what exists, where (paths relative to the
 * directory, so it can be moved), the demo passwords, subjects, SSIN and NIHII numbers. It is
 * written last, so a directory with a manifest is complete. `ehagent sandbox` prints from it.
 */
import { z } from 'zod'
import { ORGANIZATION_TYPES, PERSON_IDS, QUALITIES } from '../directory-data.js'
import { KEYSTORE_IDS } from './types.js'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_FORMAT = 'ehealth-agent-sandbox-pki'
export const MANIFEST_VERSION = 1

const CERTIFICATE = z
  .object({
    subject: z.string(),
    issuer: z.string(),
    /** Relative path of the PEM certificate. */
    certificate: z.string().min(1),
    /** Relative path of the PKCS#8 PEM key. */
    privateKey: z.string().min(1),
    sha256: z.string(),
    notAfter: z.string(),
  })
  .strict()

const KEYSTORE = z
  .object({
    id: z.enum(KEYSTORE_IDS),
    kind: z.enum(['person', 'organization']),
    holder: z.string(),
    /** Relative path of the .p12 file. */
    p12: z.string().min(1),
    password: z.string(),
    alias: z.string().min(1),
    subject: z.string(),
    issuer: z.string(),
    sha256: z.string(),
    notAfter: z.string(),
    ssin: z.string().optional(),
    quality: z.object({ quality: z.enum(QUALITIES), nihii11: z.string() }).strict().optional(),
    organization: z.object({ type: z.enum(ORGANIZATION_TYPES), nihii: z.string() }).strict().optional(),
  })
  .strict()

const EID_CARD = z
  .object({
    personId: z.enum(PERSON_IDS),
    ssin: z.string(),
    givenName: z.string(),
    surname: z.string(),
    authentication: CERTIFICATE,
    signature: CERTIFICATE,
  })
  .strict()

/** The manifest's shape; reading one checks it against this schema. */
export const PKI_MANIFEST_SCHEMA = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    version: z.literal(MANIFEST_VERSION),
    notice: z.string(),
    createdAt: z.string(),
    cas: z.object({ ehealth: CERTIFICATE, belgiumRoot: CERTIFICATE, citizen: CERTIFICATE }).strict(),
    sts: CERTIFICATE,
    keystores: z.array(KEYSTORE),
    eid: z.array(EID_CARD),
  })
  .strict()

export type ManifestCertificate = z.infer<typeof CERTIFICATE>
export type ManifestKeystore = z.infer<typeof KEYSTORE>
export type ManifestEidCard = z.infer<typeof EID_CARD>
export type SandboxPkiManifest = z.infer<typeof PKI_MANIFEST_SCHEMA>

export const MANIFEST_NOTICE =
  'TEST PKI of the ehealth-agent sandbox. Trusted by nothing but the sandbox. ' +
  'Passwords and PINs here are public demo values; never reuse them or these keys elsewhere.'

/** Parse and check a manifest against the schema; throws with the path and what is wrong. */
export function parseManifest(text: string, path: string): SandboxPkiManifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`)
  }
  const format = (value as { format?: unknown } | null)?.format
  if (typeof value !== 'object' || value === null || format !== MANIFEST_FORMAT) throw new Error(`${path} is not a sandbox PKI manifest`)
  const version = (value as { version?: unknown }).version
  if (version !== MANIFEST_VERSION) {
    throw new Error(`${path} has version ${String(version)}, this agent reads version ${MANIFEST_VERSION}; delete its directory to regenerate the sandbox PKI`)
  }
  const parsed = PKI_MANIFEST_SCHEMA.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new Error(`${path} is incomplete or damaged (${issue.path.join('.') || '(root)'}: ${issue.message}); delete its directory to regenerate the sandbox PKI`)
  }
  return parsed.data
}
