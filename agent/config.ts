import * as fs from 'node:fs/promises'
import * as z from 'zod'
import { ENVIRONMENT_IDS } from '../protocol/environments.js'
import { AgentError } from '../protocol/errors.js'
import { checkWebOrigin } from '../protocol/browser-extension/web-origin.js'
import { writeFileAtomically } from '../protocol/files/write-file-atomically.js'
import { LOGIN_METHODS } from './keys/key-ring.js'
import { parseProxyUrl } from './net/proxy-url.js'

/** Chrome/Edge extension ids are 32 letters a–p. */
const EXTENSION_ID = /^[a-p]{32}$/

/** A proxy URL as `parseProxyUrl` accepts it; the message says why not (never echoing a password). */
const PROXY_URL = z.string().superRefine((value, ctx) => {
  const parsed = parseProxyUrl(value)
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: `not a usable proxy: ${parsed.error}; give http://host:port` })
})

/** Settings renamed: the old name is still read (as the new one), and `ehagent doctor` says to rename it. */
const RENAMED = { caBundle: 'extraCaFile' } as const

/**
 * Read a renamed setting under its new name. Both names with different values is an error
 * rather than a guess; the new name is what the file gets when the agent saves it.
 */
function renameOldSettings(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) }
  for (const [old, now] of Object.entries(RENAMED)) {
    if (!(old in copy)) continue
    // Both, differing: left in place, so the schema refuses it (loadConfig names the clash first).
    if (now in copy && copy[now] !== copy[old]) continue
    copy[now] = copy[old]
    delete copy[old]
  }
  return copy
}

/** The settings file, validated: a typo is reported with its path, never silently ignored. */
export const CONFIG_SCHEMA = z.preprocess(
  renameOldSettings,
  z.object({
    environment: z.enum(ENVIRONMENT_IDS).default('sandbox'),
    port: z.number().int().min(1024).max(65535).default(4752),
    defaultProfile: z.string().min(1).default('doctor'),
    login: z
      .object({
        method: z.enum(LOGIN_METHODS).optional(),
        /** The eHealth PKCS#12 keystore (alias `authentication`). */
        keystore: z.string().min(1).optional(),
        /** The eID PKCS#11 module (beidpkcs11); searched in the usual places when absent. */
        pkcs11Module: z.string().min(1).optional(),
        pkcs11TokenLabel: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    /** WS-Trust (the current STS) or the legacy SAML-P STS. */
    stsProtocol: z.enum(['ws-trust', 'saml-p']).default('ws-trust'),
    tokenLifetimeMinutes: z.number().int().min(5).max(24 * 60).default(24 * 60),
    /** PEM files of the STS signing certificates trusted for the environment (real environments). */
    trustedStsCertificates: z.array(z.string().min(1)).default([]),
    /**
     * Extra trusted CA certificates (a PEM file) for HTTPS to eHealth and to an https proxy,
     * added to Node's bundled roots (never replacing them): the CA of a TLS-inspecting proxy.
     * Formerly `caBundle` (still read, under this name).
     */
    extraCaFile: z.string().min(1).optional(),
    /**
     * The HTTP proxy for eHealth traffic (`http://host:port`, optionally `user:password@`); wins
     * over HTTPS_PROXY/HTTP_PROXY, loses to `ehagent start --proxy`. Loopback never goes through it.
     */
    proxy: PROXY_URL.optional(),
    /** Proxy credentials (Basic), when they are not in the `proxy` URL; never logged or shown. */
    proxyUsername: z.string().min(1).optional(),
    proxyPassword: z.string().min(1).optional(),
    /** Hosts reached without the proxy, curl's NO_PROXY syntax; wins over NO_PROXY ("" = none). */
    noProxy: z.string().optional(),
    /** Browser extensions allowed to call the agent (threat T1: web pages never are). */
    allowedExtensionIds: z.array(z.string().regex(EXTENSION_ID, 'an extension id is 32 letters a-p')).default([]),
    /**
     * The websites the browser extension may sign for (exact origins; none by default). The
     * extension's manifest must let the same origins in; the user still approves each one.
     */
    allowedWebOrigins: z
      .array(z.string().superRefine((origin, ctx) => {
        const problem = checkWebOrigin(origin)
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
      }))
      .default([]),
    /** Endpoints soap.call may reach besides the environment's service list; a trailing '/' allows a prefix. */
    serviceAllowlist: z.array(z.string().url()).default([]),
    /** UI language; default from the system locale. */
    language: z.enum(['en', 'nl', 'fr']).optional(),
    /**
     * The privacy log (IAM eXchange Annex A §1.5: the proof of every use of the token): records are
     * kept by age, within a disk budget; at the budget, uses of the token are refused
     * (ERR_AUDIT_FULL), never made unlogged, and records are never dropped to make room.
     */
    privacyLog: z
      .object({
        /** Whole files are deleted once their newest record is older than this. */
        retentionMonths: z.number().int().min(1).max(1200).default(24),
        /** Disk the log's files (compressed ones included) may take. */
        maxDiskMiB: z.number().int().min(1).max(1024 * 1024).default(1024),
        /** agent.status, the tray and the doctor warn from this share of the budget on. */
        warnAtPercent: z.number().int().min(50).max(99).default(90),
      })
      .strict()
      // prefault, not default: an absent section is parsed, so its fields get their defaults.
      .prefault({}),
  })
  .strict(),
)

export type AgentConfig = z.infer<typeof CONFIG_SCHEMA>

/** The defaults, as a new user gets them. */
export function defaultConfig(): AgentConfig {
  return CONFIG_SCHEMA.parse({})
}

/**
 * Load the settings; a missing file means defaults (written back so the user can find and edit
 * it). A file that is not valid JSON or does not match the schema is a clear ERR_CONFIG_INVALID
 * naming the file and the setting — the agent does not start on a guess.
 */
export async function loadConfig(file: string, onRenamed?: (note: string) => void): Promise<AgentConfig> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw invalid(file, `cannot read it: ${(err as Error).message}`)
    const config = defaultConfig()
    await saveConfig(file, config)
    return config
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalid(file, 'it is not valid JSON')
  }
  const clash = Object.entries(RENAMED).find(([old, now]) => isObject(json) && old in json && now in json && json[old] !== json[now])
  if (clash) throw invalid(file, `${clash[0]}: it is the old name of "${clash[1]}", and the two differ; keep only ${clash[1]}`)
  const parsed = CONFIG_SCHEMA.safeParse(json)
  if (parsed.success) for (const note of renamedSettings(json)) onRenamed?.(`${file}: ${note}`)
  if (!parsed.success) {
    const first = parsed.error.issues[0]!
    throw invalid(file, `${first.path.join('.') || '(root)'}: ${first.message}`, parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })))
  }
  return parsed.data
}

/** Notes about old setting names in a settings file's JSON (`caBundle` → `extraCaFile`). */
export function renamedSettings(json: unknown): string[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return []
  return Object.entries(RENAMED)
    .filter(([old]) => old in json)
    .map(([old, now]) => `the setting "${old}" is now called "${now}"; it is read as ${now} (rename it in the file)`)
}

/** Save atomically (owner-only, in a 0700 directory when it creates one): a crash never leaves half a settings file. */
export async function saveConfig(file: string, config: AgentConfig): Promise<void> {
  const checked = CONFIG_SCHEMA.parse(config)
  await writeFileAtomically(fs, file, JSON.stringify(checked, null, 2) + '\n')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(file: string, detail: string, issues?: unknown): AgentError {
  return new AgentError('ERR_CONFIG_INVALID', `the settings file ${file} is not valid: ${detail}`, { file, detail, ...(issues ? { issues } : {}) })
}
