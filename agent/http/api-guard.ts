/**
 * The API's guard as a decision, with no web framework in it: checks 1–6 of guards.ts (the
 * peer, its uid, the target's form, Host, Origin, preflight, Content-Type; the body's size is
 * counted by whoever reads it). The hono middleware (guards.ts) and the listener's direct path for `POST /rpc` and
 * `GET /health` (rpc-listener.ts) both ask the same instance, so one set of rules applies and the
 * per-connection peer-uid cache is shared.
 */
import { AgentError } from '../../protocol/errors.js'
import type { PeerFacts, PeerIdentifier } from '../callers/caller-program.js'
import { createConnectionCheck, type ConnectionRefusal } from './check-connection.js'
import { isJsonContentType } from './is-json-content-type.js'
import type { Connection } from './read-connection.js'

export interface GuardOptions {
  /** The port the agent listens on, for the Host allowlist. */
  port: number
  /** Exact browser-extension origins allowed, e.g. 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'. */
  allowedOrigins: readonly string[]
  /** Largest request body, bytes. */
  maxBodyBytes: number
  /** Linux: refuse a TCP peer whose uid differs from `agentUid`. */
  peerUid?: { agentUid: number; lookup: (peer: { address: string; port: number }, localPort: number) => Promise<number | undefined> }
  /**
   * The admin policy's extension origins, read at each request: when it names a list, only those
   * origins are let in (a policy change applies without a restart); undefined, `allowedOrigins`.
   */
  policyOrigins?: () => { origins: readonly string[]; source: string } | undefined
  /**
   * The program behind each connection (agent/callers), looked up once per connection; its uid
   * answers the peer-uid check too. Read it with {@link ApiGuard.peerOf}.
   */
  identifyPeer?: PeerIdentifier
  /** Told about every refusal (for the privacy log): what was refused and why. */
  onRejected?: (info: { reason: string; path: string; origin?: string; host?: string; peer?: string }) => void
}

/** Why a request was refused (`error.data.reason`, and `reason` for `onRejected`). */
export type RefusalReason = ConnectionRefusal | 'origin-not-allowed' | 'origin-not-in-policy' | 'preflight-refused' | 'content-type-not-json' | 'body-too-large'

/** Methods that carry no body the app reads, so they need no Content-Type (GET /health, /events). */
const BODYLESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD'])

/** What the API's checks 1–6 (everything but the body's size) decide about one request. */
export type GuardVerdict =
  | { kind: 'pass'; corsOrigin: string | undefined }
  | { kind: 'refuse'; reason: RefusalReason; corsOrigin: string | undefined }
  | { kind: 'preflight'; corsOrigin: string }

/** The request facts the checks read; `header` takes a lower-case name and joins repeated fields with ", " as Fetch's Headers.get does. */
export interface GuardedRequest {
  connection: Connection
  method: string
  /** The request target exactly as the request line carried it; undefined for a request built in-process. */
  target: string | undefined
  header(name: string): string | undefined
}

/**
 * The API's guard, built once: the checks as one decision, so the hono middleware and the direct
 * `POST /rpc` path of the listener (rpc-listener.ts) apply the very same rules and share the
 * per-connection peer-uid cache.
 */
export interface ApiGuard {
  readonly options: GuardOptions
  check(request: GuardedRequest): Promise<GuardVerdict>
  /** What the OS said about a connection (uid, program), looked up once per connection; `{}` when unknown. */
  peerOf(connection: Connection): Promise<PeerFacts>
}

/** The API's guard for these options (validated here; a bad option throws ERR_CONFIG_INVALID). */
export function createApiGuard(options: GuardOptions): ApiGuard {
  const opts = validateOptions(options)
  // Per connection, not per request: the owner of a socket does not change while it is open, and
  // /proc/net/tcp is read once per keep-alive connection instead of once per call.
  const checkConnection = createConnectionCheck(opts)
  const allowedOrigins: ReadonlySet<string> = new Set(opts.allowedOrigins)
  /** The policy's list when it has one (checked like the settings' list), else the settings'. */
  const isOriginAllowed = (origin: string): boolean => {
    const fixed = opts.policyOrigins?.()
    return fixed ? fixed.origins.includes(origin) && /^chrome-extension:\/\/[a-p]{32}$/.test(origin) : allowedOrigins.has(origin)
  }
  /** An extension origin the settings would allow (or list) but the policy does not. */
  const policyForbids = (origin: string): boolean => opts.policyOrigins?.() !== undefined && origin.startsWith('chrome-extension://')
  return {
    options: opts,
    peerOf: (connection) => checkConnection.peerOf(connection),
    async check(request) {
      const origin = request.header('origin')
      const corsOrigin = origin !== undefined && isOriginAllowed(origin) ? origin : undefined
      // Checks 1-4, shared with the pages: transport, loopback peer (T12), peer uid (T5), an
      // origin-form target and Host (T2).
      const refusal = await checkConnection(request.connection, request.header('host'), request.target)
      if (refusal) return { kind: 'refuse', reason: refusal, corsOrigin }
      // `Origin: null` (sandboxed frames, file: pages, some redirects) is a web origin like any
      // other: refused. A local program may forge an allowed Origin (T4); that is why the app still
      // requires the credential.
      if (origin !== undefined && corsOrigin === undefined) return { kind: 'refuse', reason: policyForbids(origin) ? 'origin-not-in-policy' : 'origin-not-allowed', corsOrigin }
      if (request.method === 'OPTIONS') {
        return corsOrigin === undefined ? { kind: 'refuse', reason: 'preflight-refused', corsOrigin } : { kind: 'preflight', corsOrigin }
      }
      if (!BODYLESS_METHODS.has(request.method) && !isJsonContentType(request.header('content-type'))) {
        return { kind: 'refuse', reason: 'content-type-not-json', corsOrigin }
      }
      return { kind: 'pass', corsOrigin }
    },
  }
}

function validateOptions(options: GuardOptions): GuardOptions {
  const { port, maxBodyBytes, allowedOrigins } = options
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw configError(`port must be 1..65535, got ${String(port)}`)
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw configError('maxBodyBytes must be a positive integer')
  for (const origin of allowedOrigins) {
    // '*' or 'null' in the list would let every web page in (T1); a trailing slash or a space
    // would never match a browser's Origin and is a configuration mistake.
    if (origin === '*' || origin === 'null' || !/^[a-z][a-z0-9+.-]*:\/\/[^\s/]+$/i.test(origin)) {
      throw configError(`not an allowed origin: ${JSON.stringify(origin)}`)
    }
  }
  return { ...options, allowedOrigins: [...allowedOrigins] } satisfies GuardOptions
}

function configError(detail: string): AgentError {
  return new AgentError('ERR_CONFIG_INVALID', undefined, { detail })
}

