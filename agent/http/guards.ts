/**
 * The guards in front of every route of the agent's HTTP API. They run before any work (no body
 * parsing, no prompt, no session access) and refuse, with an HTTP status and a JSON-RPC error
 * body, anything that is not a local program of this user talking to us by one of our names:
 *
 * 1. the peer is loopback (T12) or this user's Unix socket; anything unidentified is refused; a
 *    peer that is not loopback gets its connection closed without any answer;
 * 2. on Linux, the TCP peer's uid is the agent's (T5);
 * 3. the request target is origin-form and `Host` is exactly one of our loopback names with our
 *    port (T2, DNS rebinding), 421 if not;
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
import { closeWithoutAnswer } from './close-without-answer.js'
import type { PeerIdentifier } from '../callers/caller-program.js'
import { applyCorsHeaders, createPreflightResponse } from './cors-headers.js'
import { createConnectionCheck } from './check-connection.js'
import { reportRejection } from './report-rejection.js'
import { isJsonContentType } from './is-json-content-type.js'
import { readConnection, type Connection } from './read-connection.js'
import { readRequestTarget } from './read-request-target.js'
import { rememberPeer } from './request-peer.js'

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
   * answers the peer-uid check too. The app reads the result with `peerOfRequest(c)`.
   */
  identifyPeer?: PeerIdentifier
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
  // Never sent: the connection is closed without an answer (close-without-answer.ts). Listed so
  // the reason has its place in the table and the privacy log.
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
  'target-not-origin-form': {
    status: 421,
    code: 'ERR_UNAUTHORIZED',
    message: 'the request target must be a path on this agent (origin-form), not a URL',
    hint: 'send POST /rpc with Host: 127.0.0.1:<port>; the agent is not a proxy',
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
  'origin-not-in-policy': {
    status: 403,
    code: 'ERR_POLICY_DENIED',
    message: "this browser extension is not among those your administrator's policy allows",
    hint: 'the admin policy (error.data.source) lists the browser extensions that may call the agent',
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


/**
 * The guard middleware; mount it first (`app.use('*', requestGuards(opts))`).
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
export function requestGuards(options: GuardOptions): MiddlewareHandler {
  const opts = validateOptions(options)
  const checkConnection = createConnectionCheck(opts)
  const allowedOrigins: ReadonlySet<string> = new Set(opts.allowedOrigins)
  // Per connection, not per request: the owner of a socket does not change while it is open, and
  // /proc/net/tcp is read once per keep-alive connection instead of once per call.
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

  /** The policy's list when it has one (checked like the settings' list), else the settings'. */
  function isOriginAllowed(origin: string): boolean {
    const fixed = opts.policyOrigins?.()
    return fixed ? fixed.origins.includes(origin) && /^chrome-extension:\/\/[a-p]{32}$/.test(origin) : allowedOrigins.has(origin)
  }

  /** An extension origin the settings would allow (or list) but the policy does not. */
  function policyForbids(origin: string): boolean {
    return opts.policyOrigins?.() !== undefined && origin.startsWith('chrome-extension://')
  }

  function refuse(c: Context, reason: RefusalReason, connection: Connection, corsOrigin: string | undefined): Response {
    const refusal = REFUSALS[reason]
    reportRejection(opts.onRejected, c, reason, connection)
    if (reason === 'non-loopback-peer') return closeWithoutAnswer(connection)
    const data: Record<string, unknown> = { reason, hint: refusal.hint }
    if (reason === 'origin-not-in-policy') data.source = opts.policyOrigins?.()?.source
    if (reason === 'body-too-large') data.limit = opts.maxBodyBytes
    const body = encodeError(null, new AgentError(refusal.code, refusal.message, data))
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
    // Node keeps reading a refused body to reuse the connection; an over-large one is not worth
    // reading (T18), so the connection is closed instead.
    if (reason === 'body-too-large') headers.connection = 'close'
    return applyCorsHeaders(new Response(JSON.stringify(body), { status: refusal.status, headers }), corsOrigin)
  }

  /** Checks 1–6; the refusal to send, or undefined to go on. */
  async function check(c: Context, connection: Connection, origin: string | undefined, corsOrigin: string | undefined): Promise<Response | undefined> {
    // Checks 1-4, shared with the pages: transport, loopback peer (T12), peer uid (T5), Host (T2).
    const refusal = await checkConnection(connection, c.req.header('host'), readRequestTarget(c.env))
    if (refusal) return refuse(c, refusal, connection, corsOrigin)
    // `Origin: null` (sandboxed frames, file: pages, some redirects) is a web origin like any
    // other: refused. A local program may forge an allowed Origin (T4); that is why the app still
    // requires the credential.
    if (origin !== undefined && corsOrigin === undefined) return refuse(c, policyForbids(origin) ? 'origin-not-in-policy' : 'origin-not-allowed', connection, corsOrigin)
    if (c.req.method === 'OPTIONS') {
      return corsOrigin === undefined ? refuse(c, 'preflight-refused', connection, corsOrigin) : createPreflightResponse(corsOrigin)
    }
    if (!BODYLESS_METHODS.has(c.req.method) && !isJsonContentType(c.req.header('content-type'))) {
      return refuse(c, 'content-type-not-json', connection, corsOrigin)
    }
    return undefined
  }

  return async function requestGuards(c: Context, next: Next): Promise<Response | void> {
    const connection = readConnection(c.env)
    const origin = c.req.header('origin')
    const corsOrigin = origin !== undefined && isOriginAllowed(origin) ? origin : undefined
    const refused = await check(c, connection, origin, corsOrigin)
    if (refused) return refused
    rememberPeer(c, await checkConnection.peerOf(connection))
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

