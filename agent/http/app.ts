import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { streamSSE } from 'hono/streaming'
import { WEB_ORIGIN_HEADER } from '../../protocol/browser-extension/names.js'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError } from '../../protocol/errors.js'
import type { AgentServices } from '../rpc/method-context.js'
import { summarizeSession } from '../session/summarize-session.js'
import { requestGuards } from './guards.js'
import { peerOfRequest } from './request-peer.js'
import { HEALTH, type RpcEndpoint, type RpcHeaders } from './rpc-endpoint.js'

/** Options of {@link createAgentApp}. */
export interface AgentAppOptions {
  services: AgentServices
  /** The API's credential check, guard and JSON-RPC answer, shared with the listener's direct path. */
  rpc: RpcEndpoint
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

/**
 * The agent's HTTP face as a hono app: guards first (Host, Origin, Content-Type, size, loopback,
 * peer uid), then the credential, then JSON-RPC. `GET /health` says only that the agent is up;
 * `GET /events` streams session status to authenticated callers (threat T3: same checks as
 * /rpc). The pages under /ui (agent/ui) have a guard policy of their own. The listener answers
 * `POST /rpc` and `GET /health` that pass the guards itself (rpc-listener.ts) and loads this app
 * for the first request of any other kind (listen.ts).
 */
export function createAgentApp(options: AgentAppOptions): Hono {
  const { services, rpc } = options
  const app = new Hono()
  const apiGuards = requestGuards(rpc.guard)
  const ui = options.ui
  // Exactly one guard policy runs for every request, chosen by the path the router also uses.
  // Neither lets the other's requests through: the API's refuses web origins and forms, the
  // pages' refuses any POST that is not a form from their own origin — so /rpc (JSON only) can
  // never be reached under the pages' policy, whatever a path trick made the router do.
  app.use('*', (c, next) => (ui && isUiPath(c.req.path) ? ui.guard(c, next) : apiGuards(c, next)))

  app.get('/health', (c) => c.json(HEALTH))

  app.post('/rpc', async (c) => {
    // The request's signal aborts when its connection closes before the answer (the caller gave
    // up: Ctrl-C in the CLI); a prompt it was waiting on is then withdrawn.
    const result = await rpc.answer(await c.req.text(), rpcHeaders(c), peerOfRequest(c), c.req.raw.signal)
    if (result.payload === undefined) return c.body(null, 204)
    return c.json(result.payload, result.status as 200 | 401 | 500)
  })

  app.get('/events', async (c) => {
    const admitted = await rpc.admit(rpcHeaders(c), peerOfRequest(c))
    if ('refusal' in admitted) return c.json(admitted.refusal.payload, admitted.refusal.status as 401 | 403)
    if (!admitted.caller) return c.json(encodeError(null, new AgentError('ERR_UNAUTHORIZED')), 401)
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
  app.onError((_err, c) => c.json(rpc.internalError().payload, 500))
  return app
}

function rpcHeaders(c: Context): RpcHeaders {
  return { authorization: c.req.header('authorization'), webOrigin: c.req.header(WEB_ORIGIN_HEADER) }
}
