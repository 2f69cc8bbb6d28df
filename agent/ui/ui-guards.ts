/**
 * The guards in front of the agent's own pages (`/ui/…`). The API's guards (agent/http/guards.ts)
 * refuse every web origin and every non-JSON POST, which is right for /rpc and would make HTML
 * forms impossible; so the pages get a policy of their own, as strict in what matters:
 *
 * 1. the same connection checks as the API: loopback or this user's Unix socket (T12; another
 *    peer gets the connection closed, no answer), the TCP peer's uid is ours (T5), the target is
 *    origin-form and `Host` is exactly one of our names (T2);
 * 2. only GET, HEAD and POST;
 * 3. `Sec-Fetch-Site` is `none` (the agent opened the link) or `same-origin` (a page of ours);
 *    POST only `same-origin`. A site on another port of localhost is "same-site" to a browser,
 *    and SameSite cookies do not separate ports, so this and the next check are what keep such a
 *    page out;
 * 4. `Origin`, when sent, is exactly ours; a POST must send it;
 * 5. `Sec-Fetch-Dest` is not a frame (besides `frame-ancestors 'none'`: clickjacking);
 * 6. a POST body is a form (urlencoded or multipart) of bounded size.
 *
 * What a request may then see is decided by the one-time link and the session cookie
 * (ui-access.ts), and every form also carries a CSRF token. Every response, refusals included,
 * carries the security headers (security-headers.ts).
 */
import type { Context, MiddlewareHandler, Next } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { GuardOptions } from '../http/api-guard.js'
import { createConnectionCheck } from '../http/check-connection.js'
import { reportRejection } from '../http/report-rejection.js'
import { closeWithoutAnswer } from '../http/close-without-answer.js'
import { readConnection, type Connection } from '../http/read-connection.js'
import { readRequestTarget } from '../http/read-request-target.js'
import { applySecurityHeaders } from './security-headers.js'

export interface UiGuardOptions {
  port: number
  peerUid?: GuardOptions['peerUid']
  onRejected?: GuardOptions['onRejected']
  /** Largest POST body; the token import (an .ehtoken file) is the largest form. */
  maxBodyBytes: number
  /** The refusal page's HTML, given the HTTP status. */
  renderRefusal: (status: number) => string
}

const REFUSAL_STATUS = {
  'unknown-transport': 403,
  'non-loopback-peer': 403,
  'peer-uid-unknown': 403,
  'peer-uid-mismatch': 403,
  'target-not-origin-form': 421,
  'host-not-allowed': 421,
  'method-not-allowed': 405,
  'cross-site-request': 403,
  'origin-not-allowed': 403,
  framed: 403,
  'content-type-not-form': 415,
  'body-too-large': 413,
} as const

/** Why a page request was refused (the privacy log's `errorCode`). */
export type UiRefusalReason = keyof typeof REFUSAL_STATUS

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST'])
const NAVIGATION_SITES: ReadonlySet<string> = new Set(['none', 'same-origin'])
const FRAME_DESTINATIONS: ReadonlySet<string> = new Set(['iframe', 'frame', 'embed', 'object', 'fencedframe'])
const FORM_TYPES: ReadonlySet<string> = new Set(['application/x-www-form-urlencoded', 'multipart/form-data'])

/** The middleware; mount it on the `/ui` route group only. */
export function uiGuards(options: UiGuardOptions): MiddlewareHandler {
  const checkConnection = createConnectionCheck(options)
  const limitBody = bodyLimit({ maxSize: options.maxBodyBytes, onError: (c) => refuse(c, 'body-too-large', readConnection(c.env)) })

  function refuse(c: Context, reason: UiRefusalReason, connection: Connection): Response {
    reportRejection(options.onRejected, c, reason, connection)
    if (reason === 'non-loopback-peer') return closeWithoutAnswer(connection)
    const status = REFUSAL_STATUS[reason]
    const headers = new Headers({ 'content-type': 'text/html; charset=utf-8' })
    if (reason === 'method-not-allowed') headers.set('allow', 'GET, HEAD, POST')
    if (reason === 'body-too-large') headers.set('connection', 'close')
    applySecurityHeaders(headers)
    return new Response(options.renderRefusal(status), { status, headers })
  }

  async function check(c: Context, connection: Connection): Promise<UiRefusalReason | undefined> {
    const host = c.req.header('host')
    const refusal = await checkConnection(connection, host, readRequestTarget(c.env))
    if (refusal) return refusal
    const method = c.req.method
    if (!METHODS.has(method)) return 'method-not-allowed'
    const site = c.req.header('sec-fetch-site')
    if (site !== undefined && (method === 'POST' ? site !== 'same-origin' : !NAVIGATION_SITES.has(site))) return 'cross-site-request'
    const dest = c.req.header('sec-fetch-dest')
    if (dest !== undefined && FRAME_DESTINATIONS.has(dest)) return 'framed'
    const origin = c.req.header('origin')
    // Exactly the origin the page was loaded from: scheme, host and port (a page on another
    // port of 127.0.0.1 is another origin, though the same "site").
    if (origin !== undefined && origin !== `http://${host!.toLowerCase()}`) return 'origin-not-allowed'
    if (method === 'POST') {
      if (origin === undefined) return 'origin-not-allowed'
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
      if (!FORM_TYPES.has(type)) return 'content-type-not-form'
    }
    return undefined
  }

  return async function uiGuard(c: Context, next: Next): Promise<Response | void> {
    const connection = readConnection(c.env)
    const refused = await check(c, connection)
    if (refused) return refuse(c, refused, connection)
    const limited = await limitBody(c, next)
    if (limited instanceof Response) return limited
    try {
      applySecurityHeaders(c.res.headers)
    } catch {
      // Immutable headers (a Response.redirect): copy the response to set them.
      const copy = new Response(c.res.body, c.res)
      applySecurityHeaders(copy.headers)
      c.res = undefined
      c.res = copy
    }
  }
}

