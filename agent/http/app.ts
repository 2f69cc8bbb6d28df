import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { streamSSE } from 'hono/streaming'
import { WEB_ORIGIN_HEADER } from '../../protocol/browser-extension/names.js'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError, isAgentError } from '../../protocol/errors.js'
import { raiseUsePolicy } from '../../protocol/policy/policy-locks.js'
import type { PeerFacts } from '../callers/caller-program.js'
import { admitCaller } from '../pairing/admit-caller.js'
import type { PairedClient, PairedClients } from '../pairing/paired-clients.js'
import type { RateLimiter } from '../pairing/rate-limiter.js'
import { localCallerName } from '../rpc/describe-caller.js'
import type { AgentServices, Caller } from '../rpc/method-context.js'
import { summarizeSession } from '../session/summarize-session.js'
import { dispatchRpc } from './dispatch.js'
import { requestGuards, type GuardOptions } from './guards.js'
import { peerOfRequest } from './request-peer.js'

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

/**
 * The agent's HTTP face: guards first (Host, Origin, Content-Type, size, loopback, peer uid),
 * then the credential, then JSON-RPC. `GET /health` says only that the agent is up; `GET /events`
 * streams session status to authenticated callers (threat T3: same checks as /rpc). The pages
 * under /ui (agent/ui) have a guard policy of their own.
 */
export function createAgentApp(options: AgentAppOptions): Hono {
  const { services } = options
  const localHash = hash(options.localCredential)
  /**
   * The caller a credential stands for, with the program the OS names behind the connection. The
   * local credential has no name of its own: its caller is called after that program (curl shows
   * as curl, not as "this user").
   */
  const authenticate = (header: string | undefined, peer: PeerFacts): { caller: Caller; client?: PairedClient } | undefined => {
    const credential = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header ?? '')?.[1]
    if (!credential) return undefined
    const program = peer.program ? { program: peer.program } : {}
    if (timingSafeEqual(hash(credential), localHash)) {
      return { caller: { id: 'local', name: localCallerName(peer.program), scopes: { methods: ['*'], services: ['*'] }, ...program } }
    }
    const client = options.clients.authenticate(credential)
    if (!client) return undefined
    options.clients.touch(client.clientId)
    const caller: Caller = { id: client.clientId, name: client.name, scopes: client.scopes, ...(client.process ? { process: client.process } : {}), ...program }
    // The stricter of the client's own use policy and the admin policy's minimum, at each request
    // (a policy change applies to the next signature).
    const usePolicy = raiseUsePolicy(client.usePolicy, services.policy.policy.minimumUsePolicy)
    if (usePolicy !== 'silent') caller.usePolicy = usePolicy
    return { caller, client }
  }

  /** The authenticated caller, admitted for its program and website; or the refusal to send. */
  const admit = async (c: Context, peer: PeerFacts): Promise<{ caller: Caller | undefined } | { refusal: Response }> => {
    const found = authenticate(c.req.header('authorization'), peer)
    const webOrigin = c.req.header(WEB_ORIGIN_HEADER)
    try {
      if (!found) {
        // Pairing is asked without a website: an extension pairs once, for the sites the user allows.
        if (webOrigin !== undefined) await admitCaller({ id: 'anonymous', name: 'unpaired application', scopes: { methods: [], services: [] }, ...(peer.program ? { program: peer.program } : {}) }, undefined, webOrigin, services)
        return { caller: undefined }
      }
      return { caller: await admitCaller(found.caller, found.client, webOrigin, services) }
    } catch (err) {
      const error = isAgentError(err) ? err : new AgentError('ERR_INTERNAL')
      return { refusal: c.json(encodeError(null, error), error.code === 'ERR_UNAUTHORIZED' ? 401 : 403) }
    }
  }

  const app = new Hono()
  const apiGuards = requestGuards(options.guards)
  const ui = options.ui
  // Exactly one guard policy runs for every request, chosen by the path the router also uses.
  // Neither lets the other's requests through: the API's refuses web origins and forms, the
  // pages' refuses any POST that is not a form from their own origin — so /rpc (JSON only) can
  // never be reached under the pages' policy, whatever a path trick made the router do.
  app.use('*', (c, next) => (ui && isUiPath(c.req.path) ? ui.guard(c, next) : apiGuards(c, next)))

  app.get('/health', (c) => c.json({ status: 'ok', service: 'ehealth-agent' }))

  app.post('/rpc', async (c) => {
    const peer = peerOfRequest(c)
    const admitted = await admit(c, peer)
    if ('refusal' in admitted) return admitted.refusal
    // The request's signal aborts when its connection closes before the answer (the caller gave
    // up: Ctrl-C in the CLI); a prompt it was waiting on is then withdrawn.
    const signal = c.req.raw.signal
    const result = await dispatchRpc(await c.req.text(), admitted.caller, { services, rateLimiter: options.rateLimiter }, peer, signal)
    if (result.payload === undefined) return c.body(null, 204)
    return c.json(result.payload, result.status as 200 | 401)
  })

  app.get('/events', async (c) => {
    const admitted = await admit(c, peerOfRequest(c))
    if ('refusal' in admitted) return admitted.refusal
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
  app.onError((err, c) => {
    options.services.audit.record({ event: 'internal-error', outcome: 'error', errorCode: 'ERR_INTERNAL' })
    void err
    return c.json(encodeError(null, new AgentError('ERR_INTERNAL')), 500)
  })
  return app
}

function hash(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}
