/**
 * `POST /rpc` once the guards passed it — the credential, then JSON-RPC — as both the
 * listener's direct path (rpc-listener.ts) and the hono app (app.ts) serve it. No web framework
 * here: the agent answers its API without loading one.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError } from '../../protocol/errors.js'
import type { PairedClients } from '../pairing/paired-clients.js'
import type { RateLimiter } from '../pairing/rate-limiter.js'
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

export interface RpcEndpoint {
  /** The API's guard, one instance for the direct path and the hono middleware (one peer-uid cache). */
  guard: ApiGuard
  /** The caller an `Authorization: Bearer …` header names: the same user's CLI, a paired client, or nobody. */
  authenticate(header: string | undefined): Caller | undefined
  /** The JSON-RPC answer to a body; never throws (an unexpected error is answered by {@link RpcEndpoint.internalError}). */
  answer(text: string, authorization: string | undefined): Promise<DispatchResult>
  /** The answer to an unexpected error, recorded in the privacy log: no stack, no path on the wire. */
  internalError(): DispatchResult
  /** How many bodies {@link RpcEndpoint.answer} has answered so far (for the idle memory trim). */
  answered(): number
}

export function createRpcEndpoint(options: RpcEndpointOptions): RpcEndpoint {
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
  const internalError = (): DispatchResult => {
    services.audit.record({ event: 'internal-error', outcome: 'error', errorCode: 'ERR_INTERNAL' })
    return { status: 500, payload: encodeError(null, new AgentError('ERR_INTERNAL')) }
  }
  const dispatchDeps = { services, rateLimiter: options.rateLimiter }
  let answered = 0
  return {
    guard: createApiGuard(options.guards),
    authenticate,
    internalError,
    answered: () => answered,
    answer: async (text, authorization) => {
      answered++
      try {
        return await dispatchRpc(text, authenticate(authorization), dispatchDeps)
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
