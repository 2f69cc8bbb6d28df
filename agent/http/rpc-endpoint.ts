/**
 * `POST /rpc` once the guards passed it — the credential, the caller's admission (its program,
 * its website), then JSON-RPC — as both the listener's direct path (rpc-listener.ts) and the hono
 * app (app.ts) serve it. No web framework here: the agent answers its API without loading one.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError, isAgentError } from '../../protocol/errors.js'
import { raiseUsePolicy } from '../../protocol/policy/policy-locks.js'
import type { PeerFacts } from '../callers/caller-program.js'
import { admitCaller } from '../pairing/admit-caller.js'
import type { PairedClient, PairedClients } from '../pairing/paired-clients.js'
import type { RateLimiter } from '../pairing/rate-limiter.js'
import { localCallerName } from '../rpc/describe-caller.js'
import type { AgentServices, Caller } from '../rpc/method-context.js'
import { createApiGuard, type ApiGuard, type GuardOptions } from './api-guard.js'
import { dispatchRpc, type DispatchResult } from './dispatch.js'

/** Options of {@link createRpcEndpoint}; resolved once at start-up. */
export interface RpcEndpointOptions {
  services: AgentServices
  clients: PairedClients
  rateLimiter: RateLimiter
  guards: GuardOptions
  /** The same user's CLI credential (local credential file). */
  localCredential: string
}

/** The request headers the endpoint reads (`Authorization`, and the extension's website header). */
export interface RpcHeaders {
  authorization: string | undefined
  webOrigin: string | undefined
}

export interface RpcEndpoint {
  /** The API's guard, one instance for the direct path and the hono middleware (one peer cache). */
  guard: ApiGuard
  /**
   * The caller the credential stands for, named after the program behind the connection and
   * admitted for it and its website (agent/pairing/admit-caller.ts); no caller without a
   * credential; or the refusal to send (401 or 403).
   */
  admit(headers: RpcHeaders, peer: PeerFacts): Promise<{ caller: Caller | undefined } | { refusal: DispatchResult }>
  /** The JSON-RPC answer to a body; never throws (an unexpected error is answered by {@link RpcEndpoint.internalError}). */
  answer(text: string, headers: RpcHeaders, peer: PeerFacts, signal?: AbortSignal): Promise<DispatchResult>
  /** The answer to an unexpected error, recorded in the privacy log: no stack, no path on the wire. */
  internalError(): DispatchResult
  /** How many bodies {@link RpcEndpoint.answer} has answered so far (for the idle memory trim). */
  answered(): number
}

export function createRpcEndpoint(options: RpcEndpointOptions): RpcEndpoint {
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
  const admit: RpcEndpoint['admit'] = async (headers, peer) => {
    const found = authenticate(headers.authorization, peer)
    const { webOrigin } = headers
    try {
      if (!found) {
        // Pairing is asked without a website: an extension pairs once, for the sites the user allows.
        if (webOrigin !== undefined) await admitCaller({ id: 'anonymous', name: 'unpaired application', scopes: { methods: [], services: [] }, ...(peer.program ? { program: peer.program } : {}) }, undefined, webOrigin, services)
        return { caller: undefined }
      }
      return { caller: await admitCaller(found.caller, found.client, webOrigin, services) }
    } catch (err) {
      const error = isAgentError(err) ? err : new AgentError('ERR_INTERNAL')
      return { refusal: { status: error.code === 'ERR_UNAUTHORIZED' ? 401 : 403, payload: encodeError(null, error) } }
    }
  }
  const internalError = (): DispatchResult => {
    services.audit.record({ event: 'internal-error', outcome: 'error', errorCode: 'ERR_INTERNAL' })
    return { status: 500, payload: encodeError(null, new AgentError('ERR_INTERNAL')) }
  }
  const dispatchDeps = { services, rateLimiter: options.rateLimiter }
  let answered = 0
  return {
    guard: createApiGuard(options.guards),
    admit,
    internalError,
    answered: () => answered,
    answer: async (text, headers, peer, signal) => {
      answered++
      try {
        const admitted = await admit(headers, peer)
        if ('refusal' in admitted) return admitted.refusal
        return await dispatchRpc(text, admitted.caller, dispatchDeps, peer, signal)
      } catch {
        return internalError()
      }
    },
  }
}

/** What `GET /health` answers: the agent is up, nothing more. */
export const HEALTH = { status: 'ok', service: 'ehealth-agent' } as const

function hash(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}
