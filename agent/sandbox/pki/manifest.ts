/**
 * `manifest.json`, the index of the PKI directory: what exists, where (paths relative to the
 * directory, so it can be moved), the demo passwords, subjects, SSIN and NIHII numbers. It is
 * written last, so a directory with a manifest is complete. `ehagent sandbox` prints from it.
 */
import * as z from 'zod'
import { ORGANIZATION_TYPES, PERSON_IDS, QUALITIES } from '../directory-data.js'
import { KEYSTORE_IDS } from './types.js'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_FORMAT = 'ehealth-agent-sandbox-pki'
export const MANIFEST_VERSION = 1

/** A path inside the PKI directory: relative, and never climbing out of it with `..`. */
const RELATIVE_PATH = z
  .string()
  .min(1)
  .refine((path) => !/^([/\\]|[A-Za-z]:)/.test(path) && !path.split(/[/\\]/).includes('..'), 'must be a path inside the PKI directory')
const SHA256_FINGERPRINT = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint (AA:BB:…)')

const CERTIFICATE_SCHEMA = z
  .object({
    subject: z.string().min(1),
    issuer: z.string().min(1),
    /** Relative path of the PEM certificate. */
    certificate: RELATIVE_PATH,
    /** Relative path of the PKCS#8 PEM key. */
    privateKey: RELATIVE_PATH,
    sha256: SHA256_FINGERPRINT,
    notAfter: z.string().min(1),
  })
  .strict()

const KEYSTORE_SCHEMA = z
  .object({
    id: z.enum(KEYSTORE_IDS),
    kind: z.enum(['person', 'organization']),
    holder: z.string().min(1),
    /** Relative path of the .p12 file. */
    p12: RELATIVE_PATH,
    password: z.string().min(1),
    alias: z.string().min(1),
    subject: z.string().min(1),
    issuer: z.string().min(1),
    sha256: SHA256_FINGERPRINT,
    notAfter: z.string().min(1),
    ssin: z.string().regex(/^\d{11}$/, 'must be 11 digits').optional(),
    quality: z.object({ quality: z.enum(QUALITIES), nihii11: z.string().regex(/^\d{11}$/, 'must be 11 digits') }).strict().optional(),
    organization: z.object({ type: z.enum(ORGANIZATION_TYPES), nihii: z.string().regex(/^\d{8}$/, 'must be 8 digits') }).strict().optional(),
  })
  .strict()

const EID_CARD_SCHEMA = z
  .object({
    personId: z.enum(PERSON_IDS),
    ssin: z.string().regex(/^\d{11}$/, 'must be 11 digits'),
    givenName: z.string().min(1),
    surname: z.string().min(1),
    authentication: CERTIFICATE_SCHEMA,
    signature: CERTIFICATE_SCHEMA,
  })
  .strict()

/** The manifest as written by create-sandbox-pki.ts; anything else is refused field by field. */
export const MANIFEST_SCHEMA = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    version: z.literal(MANIFEST_VERSION),
    notice: z.string(),
    createdAt: z.iso.datetime(),
    cas: z.object({ ehealth: CERTIFICATE_SCHEMA, belgiumRoot: CERTIFICATE_SCHEMA, citizen: CERTIFICATE_SCHEMA }).strict(),
    sts: CERTIFICATE_SCHEMA,
    keystores: z.array(KEYSTORE_SCHEMA),
    eid: z.array(EID_CARD_SCHEMA),
  })
  .strict()

export type SandboxPkiManifest = z.infer<typeof MANIFEST_SCHEMA>
export type ManifestCertificate = z.infer<typeof CERTIFICATE_SCHEMA>
export type ManifestKeystore = z.infer<typeof KEYSTORE_SCHEMA>
export type ManifestEidCard = z.infer<typeof EID_CARD_SCHEMA>

export const MANIFEST_NOTICE =
  'TEST PKI of the ehealth-agent sandbox. Trusted by nothing but the sandbox. ' +
  'Passwords and PINs here are public demo values; never reuse them or these keys elsewhere.'

/**
 * Parse and check a manifest. Anything unexpected throws an Error naming the file, the field and
 * what to do (delete the directory: the sandbox generates a new PKI on its next start).
 */
export function parseManifest(text: string, path: string): SandboxPkiManifest {
  const regenerate = `delete ${path.replace(/[/\\][^/\\]*$/, '')} to regenerate the sandbox PKI`
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message}); ${regenerate}`)
  }
  const head = value as { format?: unknown; version?: unknown } | null
  if (head === null || typeof head !== 'object' || head.format !== MANIFEST_FORMAT) throw new Error(`${path} is not a sandbox PKI manifest; ${regenerate}`)
  if (head.version !== MANIFEST_VERSION) {
    throw new Error(`${path} has version ${String(head.version)}, this agent reads version ${MANIFEST_VERSION}; ${regenerate}`)
  }
  const parsed = MANIFEST_SCHEMA.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new Error(`${path} is not a valid sandbox PKI manifest: ${issue.path.join('.') || '(root)'}: ${issue.message}; ${regenerate}`)
  }
  return parsed.data
}
