/**
 * The sandbox manifest: what a running sandbox (`ehagent sandbox`, a separate program standing in
 * for eHealth) publishes at `GET /sandbox/manifest` so that an agent can use it without sharing
 * its code: the environment's endpoints, the certificates to trust, the test keystores it issued
 * and, when it runs with `--demo`, the demo user and the public demo secrets. The sandbox writes
 * it, the agent reads it; both validate it with this schema.
 *
 * @module
 */
import * as z from 'zod'
import { AgentError } from './errors.js'

/** Where the sandbox serves the manifest. */
export const SANDBOX_MANIFEST_PATH = '/sandbox/manifest'
export const SANDBOX_MANIFEST_FORMAT = 'ehealth-agent-sandbox'
export const SANDBOX_MANIFEST_VERSION = 1

/** A PEM certificate (RFC 7468 §5): one block, checked for shape here, parsed by the reader. */
const PEM_CERTIFICATE = z.string().regex(/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/, 'a PEM certificate')

/**
 * The sandbox listens on loopback only, over plain HTTP; a manifest naming anything else is not
 * one of ours.
 */
const LOOPBACK_URL = z
  .string()
  .url()
  .refine((value) => isLoopbackHttpUrl(value), 'an http:// URL on 127.0.0.1, [::1] or localhost')

const KEYSTORE = z
  .object({
    id: z.string().min(1),
    kind: z.enum(['person', 'organization']),
    holder: z.string().min(1),
    ssin: z.string().regex(/^\d{11}$/).optional(),
    /** Absolute path of the PKCS#12 file, on the sandbox's machine (the same machine: loopback). */
    p12Path: z.string().min(1),
    alias: z.string().min(1),
    /** A public test password, like every secret of the sandbox. */
    password: z.string().min(1),
  })
  .strict()

export const SANDBOX_MANIFEST_SCHEMA = z
  .object({
    format: z.literal(SANDBOX_MANIFEST_FORMAT),
    version: z.literal(SANDBOX_MANIFEST_VERSION),
    /** The sandbox's base URL. */
    url: LOOPBACK_URL,
    notice: z.string(),
    environment: z
      .object({
        stsWsTrust: LOOPBACK_URL,
        stsSamlP: LOOPBACK_URL,
        idpSso: LOOPBACK_URL,
        iamConnectIssuer: LOOPBACK_URL,
        /** Business services an agent may call without an allowlist entry. */
        services: z.record(z.string().min(1), LOOPBACK_URL),
      })
      .strict(),
    trust: z
      .object({
        /**
         * The STS signing certificate the sandbox started with. Informative: an agent trusts the
         * sandbox STS as it trusts eHealth's, by chain to `caCertificates` and by name, so that a
         * signer rotated under the same CA keeps working.
         */
        stsCertificates: z.array(PEM_CERTIFICATE).min(1),
        /** The sandbox's test CAs (eHealth, Belgium Root, Citizen): every certificate it issued chains to one. */
        caCertificates: z.array(z.object({ name: z.string().min(1), pem: PEM_CERTIFICATE }).strict()).min(1),
      })
      .strict(),
    /** The eHealth keystores the sandbox issued. */
    keystores: z.array(KEYSTORE).min(1),
    /** The keystore an agent uses when its settings name none. */
    defaultKeystore: z.string().min(1),
    /**
     * Present when the sandbox runs with `--demo`: it approves every IAM Connect sign-in as
     * `person` by itself, and an agent in demo mode answers its prompts with these public secrets.
     */
    demo: z
      .object({
        person: z.string().min(1),
        keystorePassword: z.string().min(1),
        eidPin: z.string().regex(/^\d{4,12}$/),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((m) => m.keystores.some((k) => k.id === m.defaultKeystore), { message: 'defaultKeystore names no keystore of the list', path: ['defaultKeystore'] })

/** The manifest's content. */
export type SandboxManifest = z.infer<typeof SANDBOX_MANIFEST_SCHEMA>

/**
 * Check a manifest a sandbox answered (parsed JSON). Anything else — another program on that
 * port, another version — is refused with ERR_REMOTE_PROTOCOL naming the first problem.
 *
 * @example
 * ```ts
 * const manifest = parseSandboxManifest(await (await fetch(url + SANDBOX_MANIFEST_PATH)).json())
 * ```
 */
export function parseSandboxManifest(json: unknown): SandboxManifest {
  const parsed = SANDBOX_MANIFEST_SCHEMA.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new AgentError('ERR_REMOTE_PROTOCOL', `the sandbox manifest is not valid: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      detail: 'is this an ehealth-agent sandbox of the same version? (`ehagent sandbox`)',
    })
  }
  return parsed.data
}

/** True for `http://127.0.0.1[:port]/…`, `http://[::1]…` and `http://localhost…`. */
export function isLoopbackHttpUrl(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost') && url.username === '' && url.password === ''
}
