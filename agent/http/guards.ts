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
import { createApiGuard, type ApiGuard, type GuardOptions, type RefusalReason } from './api-guard.js'
import { closeWithoutAnswer } from './close-without-answer.js'
import { applyCorsHeaders, createPreflightResponse } from './cors-headers.js'
import { reportRejection } from './report-rejection.js'
import { readConnection, type Connection } from './read-connection.js'
import { readRequestTarget } from './read-request-target.js'
import { rememberPeer } from './request-peer.js'

export { createApiGuard, type ApiGuard, type GuardOptions, type GuardVerdict, type GuardedRequest, type RefusalReason } from './api-guard.js'

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
} as const satisfies Record<RefusalReason, { status: 403 | 413 | 415 | 421; code: ErrorCode; message: string; hint: string }>

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

  return async function requestGuards(c: Context, next: Next): Promise<Response | void> {
    const connection = readConnection(c.env)
    const verdict = await guard.check({ connection, method: c.req.method, target: readRequestTarget(c.env), header: (name) => c.req.header(name) })
    if (verdict.kind === 'refuse') return refuse(c, verdict.reason, connection, verdict.corsOrigin)
    if (verdict.kind === 'preflight') return createPreflightResponse(verdict.corsOrigin)
    const { corsOrigin } = verdict
    rememberPeer(c, await guard.peerOf(connection))
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
