/**
 * The guards in front of every route of the agent's HTTP API. They run before any work (no body
 * parsing, no prompt, no session access) and refuse, with an HTTP status and a JSON-RPC error
 * body, anything that is not a local program of this user talking to us by one of our names:
 *
 * 1. the peer is loopback (T12) or this user's Unix socket; anything unidentified is refused;
 * 2. on Linux, the TCP peer's uid is the agent's (T5);
 * 3. `Host` is exactly one of our loopback names with our port (T2, DNS rebinding), 421 if not;
 * 4. `Origin`, when present, is an allowed browser-extension origin (T1, T4's browser half);
 * 5. a preflight is answered for those origins only;
 * 6. a request with a body declares `Content-Type: application/json` (T1: no "simple" requests);
 * 7. the body is at most `maxBodyBytes`, by Content-Length or while streaming (T18).
 *
 * The client credential (T4, T8) is checked after these, by the app: the guards say "this may be
 * a caller", not "this caller is paired".
 */
import type { Context, MiddlewareHandler, Next } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError, type ErrorCode } from '../../protocol/errors.js'
import { applyCorsHeaders, createPreflightResponse } from './cors-headers.js'
import { createConnectionCheck } from './check-connection.js'
import { reportRejection } from './report-rejection.js'
import { isJsonContentType } from './is-json-content-type.js'
import { readConnection, type Connection } from './read-connection.js'

export interface GuardOptions {
  /** The port the agent listens on, for the Host allowlist. */
  port: number
  /** Exact browser-extension origins allowed, e.g. 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'. */
  allowedOrigins: readonly string[]
  /** Largest request body, bytes. */
  maxBodyBytes: number
  /** Linux: refuse a TCP peer whose uid differs from `agentUid`. */
  peerUid?: { agentUid: number; lookup: (peer: { address: string; port: number }, localPort: number) => Promise<number | undefined> }
  /** Told about every refusal (for the privacy log): what was refused and why. */
  onRejected?: (info: { reason: string; path: string; origin?: string; host?: string; peer?: string }) => void
}

/**
 * Every way a request is refused: its HTTP status, the error sent (`error.data.code`), and the
 * text. `reason` (the key) goes to the privacy log and to the caller as `error.data.reason`.
 */
const REFUSALS = {
  'unknown-transport': {
    status: 403,
    code: 'ERR_UNAUTHORIZED',
    message: 'the connection could not be identified as local',
    hint: 'connect to the agent over loopback or its Unix socket',
  },
  'non-loopback-peer': {
    status: 403,
    code: 'ERR_UNAUTHORIZED',
    message: 'only programs on this computer may call the agent',
    hint: 'connect to 127.0.0.1 or ::1',
  },
  'peer-uid-unknown': {
    status: 403,
    code: 'ERR_UNAUTHORIZED',
    message: 'the calling process could not be identified',
    hint: 'call the agent from a program of the user who runs it',
  },
  'peer-uid-mismatch': {
    status: 403,
    code: 'ERR_UNAUTHORIZED',
    message: 'the calling process belongs to another user',
    hint: 'each user runs their own agent; call yours',
  },
  'host-not-allowed': {
    status: 421,
    code: 'ERR_UNAUTHORIZED',
    message: 'the Host header does not name this agent',
    hint: 'call http://127.0.0.1:<port>, http://localhost:<port> or http://[::1]:<port>',
  },
  'origin-not-allowed': {
    status: 403,
    code: 'ERR_UNAUTHORIZED',
    message: 'this origin may not call the agent',
    hint: 'web pages cannot call the agent; use the browser extension',
  },
  'preflight-refused': {
    status: 403,
    code: 'ERR_UNAUTHORIZED',
    message: 'cross-origin requests are only answered for the allowed browser extensions',
    hint: 'web pages cannot call the agent; use the browser extension',
  },
  'content-type-not-json': {
    status: 415,
    code: 'ERR_INVALID_REQUEST',
    message: 'the request body must be Content-Type: application/json',
    hint: 'send Content-Type: application/json',
  },
  'body-too-large': {
    status: 413,
    code: 'ERR_INVALID_REQUEST',
    message: 'the request body is too large',
    hint: 'see error.data.limit (bytes)',
  },
} as const satisfies Record<string, { status: 403 | 413 | 415 | 421; code: ErrorCode; message: string; hint: string }>

/** Why a request was refused (`error.data.reason`, and `reason` for `onRejected`). */
export type RefusalReason = keyof typeof REFUSALS

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
}

/** The API's guard for these options (validated here; a bad option throws ERR_CONFIG_INVALID). */
export function createApiGuard(options: GuardOptions): ApiGuard {
  const opts = validateOptions(options)
  // Per connection, not per request: the owner of a socket does not change while it is open, and
  // /proc/net/tcp is read once per keep-alive connection instead of once per call.
  const checkConnection = createConnectionCheck(opts)
  const allowedOrigins: ReadonlySet<string> = new Set(opts.allowedOrigins)
  return {
    options: opts,
    async check(request) {
      const origin = request.header('origin')
      const corsOrigin = origin !== undefined && allowedOrigins.has(origin) ? origin : undefined
      // Checks 1-4, shared with the pages: transport, loopback peer (T12), peer uid (T5), Host (T2).
      const refusal = await checkConnection(request.connection, request.header('host'))
      if (refusal) return { kind: 'refuse', reason: refusal, corsOrigin }
      // `Origin: null` (sandboxed frames, file: pages, some redirects) is a web origin like any
      // other: refused. A local program may forge an allowed Origin (T4); that is why the app still
      // requires the credential.
      if (origin !== undefined && corsOrigin === undefined) return { kind: 'refuse', reason: 'origin-not-allowed', corsOrigin }
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

/**
 * The guard middleware; mount it first (`app.use('*', requestGuards(opts))`). Give it the
 * {@link ApiGuard} the listener's direct `/rpc` path uses, so both share one peer-uid cache.
 *
 * @example
 * ```ts
 * app.use('*', requestGuards({
 *   port: 4752,
 *   allowedOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'],
 *   maxBodyBytes: 16 * 1024 * 1024,
 *   peerUid: { agentUid: process.getuid!(), lookup: lookupPeerUid },
 *   onRejected: (info) => audit.rejected(info),
 * }))
 * ```
 */
export function requestGuards(options: GuardOptions | ApiGuard): MiddlewareHandler {
  const guard = 'check' in options ? options : createApiGuard(options)
  const opts = guard.options
  // What the body-limit refusal needs to know about the request it refuses.
  const pending = new WeakMap<Context, { connection: Connection; corsOrigin: string | undefined }>()
  // hono's bodyLimit trusts Content-Length when there is one (Node's parser enforces it as the
  // framing) and otherwise counts the streamed bytes, stopping at the first byte too many.
  const limitBody = bodyLimit({
    maxSize: opts.maxBodyBytes,
    onError: (c) => {
      const request = pending.get(c) ?? { connection: readConnection(c.env), corsOrigin: undefined }
      return refuse(c, 'body-too-large', request.connection, request.corsOrigin)
    },
  })

  function refuse(c: Context, reason: RefusalReason, connection: Connection, corsOrigin: string | undefined): Response {
    const refusal = REFUSALS[reason]
    reportRejection(opts.onRejected, c, reason, connection)
    const data: Record<string, unknown> = { reason, hint: refusal.hint }
    if (reason === 'body-too-large') data.limit = opts.maxBodyBytes
    const body = encodeError(null, new AgentError(refusal.code, refusal.message, data))
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
    // Node keeps reading a refused body to reuse the connection; an over-large one is not worth
    // reading (T18), so the connection is closed instead.
    if (reason === 'body-too-large') headers.connection = 'close'
    return applyCorsHeaders(new Response(JSON.stringify(body), { status: refusal.status, headers }), corsOrigin)
  }

  return async function requestGuards(c: Context, next: Next): Promise<Response | void> {
    const connection = readConnection(c.env)
    const verdict = await guard.check({ connection, method: c.req.method, header: (name) => c.req.header(name) })
    if (verdict.kind === 'refuse') return refuse(c, verdict.reason, connection, verdict.corsOrigin)
    if (verdict.kind === 'preflight') return createPreflightResponse(verdict.corsOrigin)
    const { corsOrigin } = verdict
    pending.set(c, { connection, corsOrigin })
    const limited = await limitBody(c, next)
    if (limited instanceof Response) return limited
    const res = applyCorsHeaders(c.res, corsOrigin)
    if (res !== c.res) {
      // Assigning c.res merges the old response's headers into the new one, which would bring
      // back a stripped Access-Control-Allow-Origin; clearing it first prevents the merge.
      c.res = undefined
      c.res = res
    }
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

