/**
 * The machine-wide admin policy: what a hospital or practice admin fixes for every user of a
 * workstation (one JSON file on Linux and macOS, one registry key on Windows). Pure: the agent
 * reads the file or the registry and hands the text here.
 *
 * Strict: an unknown field is an error, never ignored, because a misspelt field would otherwise
 * leave a workstation silently weaker than its admin meant.
 *
 * @module
 */
import * as z from 'zod'
import { checkWebOrigin } from '../browser-extension/web-origin.js'
import { ENVIRONMENT_IDS } from '../environments.js'

/** Chrome/Edge extension origins: `chrome-extension://` and 32 letters a–p. */
const EXTENSION_ORIGIN = /^chrome-extension:\/\/[a-p]{32}$/

/** The use policies, weakest first (a paired program signs silently, with a notice, or asks each time). */
export const USE_POLICIES = ['silent', 'notify', 'ask'] as const
export type UsePolicyLevel = (typeof USE_POLICIES)[number]

/** An absolute executable path: POSIX (`/usr/bin/x`) or Windows (`C:\…`, `\\server\share\…`). */
const EXECUTABLE_PATH = z
  .string()
  .min(2)
  .max(1024)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:\\/.test(p) || p.startsWith('\\\\'), 'an absolute executable path (/usr/bin/his or C:\\Program Files\\HIS\\his.exe)')

/** An http(s) URL; a trailing '/' allows every endpoint under it. */
const ENDPOINT = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'an http(s) URL')

export const POLICY_SCHEMA = z
  .object({
    /** The eHealth environment every user of the machine works in. */
    environment: z.enum(ENVIRONMENT_IDS).optional(),
    /**
     * The only endpoints `soap.call` may reach (exact, or a prefix ending in '/'). Replaces the
     * environment's service list and the user's allowlist: what the admin did not list is refused.
     */
    allowedServiceEndpoints: z.array(ENDPOINT).max(500).optional(),
    /** The only browser extensions that may call the agent (their origins). */
    allowedExtensionOrigins: z.array(z.string().regex(EXTENSION_ORIGIN, 'an extension origin is chrome-extension:// and 32 letters a-p')).max(100).optional(),
    /**
     * The only websites the browser extension may sign for (exact origins, as the user's
     * `allowedWebOrigins` setting, which this replaces and locks). A website outside it is
     * refused even if the user allowed it before.
     */
    allowedWebOrigins: z
      .array(
        z.string().superRefine((origin, ctx) => {
          const problem = checkWebOrigin(origin)
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
        }),
      )
      .max(500)
      .optional(),
    /** The only programs that may be paired (their executable paths, as the OS reports them). */
    allowedPrograms: z.array(EXECUTABLE_PATH).max(500).optional(),
    /** The weakest use policy a paired program may have; a weaker one is raised to this. */
    minimumUsePolicy: z.enum(USE_POLICIES).optional(),
    /** How long the privacy log keeps records (months). */
    auditRetentionMonths: z.number().int().min(1).max(1200).optional(),
    /** The HTTP proxy for eHealth traffic (`http://host:port`; no credentials: this file is readable by every user). */
    proxy: z
      .string()
      .url()
      .refine((u) => /^https?:\/\/[^@/]+(:\d+)?\/?$/.test(u), 'a proxy URL http://host:port, without user or password')
      .optional(),
    /**
     * Hosts reached without the policy's proxy (curl's NO_PROXY syntax). Only with `proxy`; with
     * `proxy` and without it, everything but loopback goes through the proxy.
     */
    noProxy: z.string().max(4096).optional(),
    /** The language of the agent's pages and tray. */
    language: z.enum(['en', 'nl', 'fr']).optional(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.noProxy !== undefined && policy.proxy === undefined) ctx.addIssue({ code: 'custom', path: ['noProxy'], message: 'noProxy is the exceptions to the policy\'s proxy: give proxy too' })
  })

export type AgentPolicy = z.infer<typeof POLICY_SCHEMA>

/** Where a policy came from, as shown to users and admins: a file path or a registry key. */
export interface PolicyOrigin {
  kind: 'file' | 'registry'
  /** `/etc/ehealth-agent/policy.json` or `HKLM\SOFTWARE\Policies\ehealth-agent`. */
  location: string
}

/** A policy in effect with where it came from; `policy` is `{}` when there is none. */
export interface PolicyInEffect {
  origin: PolicyOrigin
  /** False when the file or key does not exist (the agent then runs without a policy). */
  present: boolean
  policy: AgentPolicy
}
