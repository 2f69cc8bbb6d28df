/**
 * The sandbox's control endpoint: how a script or a test changes a running sandbox's faults
 * without restarting it (`ehagent sandbox fault SPEC`, `ehagent sandbox fault clear`) and reads how
 * many requests each endpoint received (`ehagent sandbox stats`), for example to count the STS
 * calls an agent made under load. The sandbox serves it, the CLI calls it; both use these paths
 * and schemas. Like the manifest, it answers loopback names only.
 *
 * @module
 */
import * as z from 'zod'
import { AgentError } from './errors.js'

/** `ehagent sandbox` listens here when no `--port` is given. */
export const DEFAULT_SANDBOX_PORT = 4753

export const SANDBOX_CONTROL_PATHS = {
  /** POST `{"spec": "…"}`: add the faults of a spec (the `--fault` syntax); answers the fault state. */
  faults: '/sandbox/control/faults',
  /** POST `{}`: clear every fault and setting; answers the fault state. */
  clearFaults: '/sandbox/control/faults/clear',
  /** GET: requests received per endpoint since the sandbox started. */
  stats: '/sandbox/control/stats',
} as const

/** The body of a POST to `faults`. */
export const SANDBOX_FAULT_REQUEST_SCHEMA = z.object({ spec: z.string().min(1).max(4096) }).strict()

/** What the sandbox injects now. */
export const SANDBOX_FAULT_STATE_SCHEMA = z
  .object({
    rules: z.array(
      z
        .object({
          /** Path prefix ('' = every endpoint). */
          path: z.string(),
          /** The fault, e.g. `http=503`, `latency=500`, `reset`. */
          fault: z.string(),
          /** Requests it still applies to; null until cleared. */
          remaining: z.number().int().nonnegative().nullable(),
        })
        .strict(),
    ),
    clockSkewSeconds: z.number(),
    tokenLifetimeSeconds: z.number().nullable(),
    retryAfterSeconds: z.number().nullable(),
  })
  .strict()

export type SandboxFaultState = z.infer<typeof SANDBOX_FAULT_STATE_SCHEMA>

/** The answer of `stats`. */
export const SANDBOX_STATS_SCHEMA = z
  .object({
    /** When the counts started (the sandbox's start). */
    since: z.string(),
    /** Requests received per path, whatever their method or outcome (faults included). */
    requests: z.record(z.string(), z.number().int().nonnegative()),
    total: z.number().int().nonnegative(),
  })
  .strict()

export type SandboxStats = z.infer<typeof SANDBOX_STATS_SCHEMA>

/** An error the control endpoint answers: `{"error": {"code", "message"}}`. */
export const SANDBOX_CONTROL_ERROR_SCHEMA = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

/**
 * Check an answer of the control endpoint against `schema`; anything else (another program on
 * that port, another version) is ERR_REMOTE_PROTOCOL naming the first problem.
 *
 * @example
 * ```ts
 * const stats = parseSandboxControlAnswer(SANDBOX_STATS_SCHEMA, await (await fetch(url + SANDBOX_CONTROL_PATHS.stats)).json())
 * ```
 */
export function parseSandboxControlAnswer<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new AgentError('ERR_REMOTE_PROTOCOL', `the sandbox's control endpoint answered something else: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      detail: 'is an ehealth-agent sandbox of the same version listening there? (`ehagent sandbox --port N`)',
    })
  }
  return parsed.data
}
