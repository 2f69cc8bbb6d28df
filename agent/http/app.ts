import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono, type MiddlewareHandler } from 'hono'
import { streamSSE } from 'hono/streaming'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError } from '../../protocol/errors.js'
import type { PairedClients } from '../pairing/paired-clients.js'
import type { RateLimiter } from '../pairing/rate-limiter.js'
import type { AgentServices, Caller } from '../rpc/method-context.js'
import { summarizeSession } from '../session/summarize-session.js'
import { dispatchRpc, type DispatchResult } from './dispatch.js'
import { createApiGuard, requestGuards, type ApiGuard, type GuardOptions } from './guards.js'

/** Options of {@link createAgentApp}; resolved once at start-up. */
export interface AgentAppOptions {
  services: AgentServices
  clients: PairedClients
  rateLimiter: RateLimiter
  guards: GuardOptions
  /** The same user's CLI credential (local credential file). */
  localCredential: string
  /** Subscribe to session changes for the event stream; returns an unsubscribe function. */
  onSessionChange: (listener: () => void) => () => void
  /**
   * The agent's own pages (agent/ui), mounted at /ui with their own guard policy: HTML forms from
   * the page's own origin, which the API's guards rightly refuse. Absent: no pages.
   */
  ui?: { routes: Hono; guard: MiddlewareHandler }
}

/** True for the pages' route group; everything else is the API. */
function isUiPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/')
}

/** The agent's HTTP face: the hono app, and what the listener's direct `POST /rpc` path needs. */
export interface AgentHttp {
  app: Hono
  rpc: RpcEndpoint
}

/**
 * `POST /rpc` once the guards passed it, as both the hono route and the listener's direct path
 * (rpc-listener.ts) serve it: the credential, then JSON-RPC.
 */
export interface RpcEndpoint {
  /** The API's guard, the same instance as the hono middleware's (one peer-uid cache). */
  guard: ApiGuard
  /** The JSON-RPC answer to a body; never throws (an unexpected error is answered as the app's error handler does). */
  answer(text: string, authorization: string | undefined): Promise<DispatchResult>
  /** The answer to an unexpected error, recorded in the privacy log: no stack, no path on the wire. */
  internalError(): DispatchResult
}

/**
 * The agent's HTTP face: guards first (Host, Origin, Content-Type, size, loopback, peer uid),
 * then the credential, then JSON-RPC. `GET /health` says only that the agent is up; `GET /events`
 * streams session status to authenticated callers (threat T3: same checks as /rpc). The pages
 * under /ui (agent/ui) have a guard policy of their own.
 */
export function createAgentApp(options: AgentAppOptions): AgentHttp {
  const { services } = options
  const localHash = hash(options.localCredential)
  const authenticate = (header: string | undefined): Caller | undefined => {
    const credential = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header ?? '')?.[1]
    if (!credential) return undefined
    if (timingSafeEqual(hash(credential), localHash)) return { id: 'local', name: 'ehagent (this user)', scopes: { methods: ['*'], services: ['*'] } }
    const client = options.clients.authenticate(credential)
    if (!client) return undefined
    options.clients.touch(client.clientId)
    return { id: client.clientId, name: client.name, scopes: client.scopes, ...(client.process ? { process: client.process } : {}) }
  }
  /** The one answer to an unexpected error: recorded, and no stack or path on the wire. */
  const internalError = (): DispatchResult => {
    options.services.audit.record({ event: 'internal-error', outcome: 'error', errorCode: 'ERR_INTERNAL' })
    return { status: 500, payload: encodeError(null, new AgentError('ERR_INTERNAL')) }
  }
  const dispatchDeps = { services, rateLimiter: options.rateLimiter }
  const guard = createApiGuard(options.guards)
  const rpc: RpcEndpoint = {
    guard,
    internalError,
    answer: async (text, authorization) => {
      try {
        return await dispatchRpc(text, authenticate(authorization), dispatchDeps)
      } catch {
        return internalError()
      }
    },
  }

  const app = new Hono()
  const apiGuards = requestGuards(guard)
  const ui = options.ui
  // Exactly one guard policy runs for every request, chosen by the path the router also uses.
  // Neither lets the other's requests through: the API's refuses web origins and forms, the
  // pages' refuses any POST that is not a form from their own origin — so /rpc (JSON only) can
  // never be reached under the pages' policy, whatever a path trick made the router do.
  app.use('*', (c, next) => (ui && isUiPath(c.req.path) ? ui.guard(c, next) : apiGuards(c, next)))

  app.get('/health', (c) => c.json({ status: 'ok', service: 'ehealth-agent' }))

  app.post('/rpc', async (c) => {
    const result = await rpc.answer(await c.req.text(), c.req.header('authorization'))
    if (result.payload === undefined) return c.body(null, 204)
    return c.json(result.payload, result.status as 200 | 401 | 500)
  })

  app.get('/events', (c) => {
    const caller = authenticate(c.req.header('authorization'))
    if (!caller) return c.json(encodeError(null, new AgentError('ERR_UNAUTHORIZED')), 401)
    return streamSSE(c, async (stream) => {
      const send = () => stream.writeSSE({ event: 'session', data: JSON.stringify(summarizeSession(services.session, services.environment.label)) })
      await send()
      const unsubscribe = options.onSessionChange(() => void send().catch(() => undefined))
      await new Promise<void>((resolve) => stream.onAbort(resolve))
      unsubscribe()
    })
  })

  if (ui) app.route('/ui', ui.routes)

  app.notFound((c) => c.json(encodeError(null, new AgentError('ERR_METHOD_NOT_FOUND', 'unknown path; the API is POST /rpc')), 404))
  // One place turns unexpected errors into a generic JSON-RPC error: no stack, no path on the wire.
  app.onError((_err, c) => {
    const result = internalError()
    return c.json(result.payload, 500)
  })
  return { app, rpc }
}

function hash(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}
