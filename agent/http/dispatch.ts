import { decodeRequestBody } from '../../protocol/rpc/decode-request.js'
import { encodeError, encodeReply, encodeSuccess } from '../../protocol/rpc/encode-response.js'
import { AgentError, isAgentError } from '../../protocol/errors.js'
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../../protocol/rpc/json-rpc.js'
import type { PeerFacts } from '../callers/caller-program.js'
import { FORBIDDEN_PARAM_PATTERN, METHOD_PARAMS, type MethodName } from '../../protocol/rpc/methods.js'
import { isAllowed } from '../pairing/paired-clients.js'
import type { RateLimiter } from '../pairing/rate-limiter.js'
import { auditCallerOf, summarizeProgram } from '../rpc/describe-caller.js'
import { METHOD_TABLE } from '../rpc/method-table.js'
import type { AgentServices, Caller } from '../rpc/method-context.js'

/** What dispatch needs besides the request. */
export interface DispatchDeps {
  services: AgentServices
  rateLimiter: RateLimiter
  maxBatchSize?: number
}

/** The HTTP answer for a JSON-RPC body. */
export interface DispatchResult {
  status: number
  /** undefined: notifications only, answer 204 with no body. */
  payload: JsonRpcResponse | JsonRpcResponse[] | undefined
}

/** Methods a caller without a credential may use: only asking to be paired. */
const ANONYMOUS_METHODS: ReadonlySet<string> = new Set(['client.pair'])

/**
 * Run a JSON-RPC body for a caller: each call is checked in order — credential (only
 * `client.pair` without one, threat T4), no secret-named param (T10), method known, scope (T8),
 * rate limit, params against the method's schema (T18) — before its handler runs. Every failure
 * is a spec-conformant JSON-RPC error; nothing thrown escapes.
 */
export async function dispatchRpc(text: string, caller: Caller | undefined, deps: DispatchDeps, peer: PeerFacts = {}, signal?: AbortSignal): Promise<DispatchResult> {
  const decoded = decodeRequestBody(text, { maxBatchSize: deps.maxBatchSize ?? 100 })
  const requests = decoded.items.filter((i) => i.ok).map((i) => (i as { request: JsonRpcRequest | JsonRpcNotification }).request)
  if (!caller && (requests.length === 0 || requests.some((r) => !ANONYMOUS_METHODS.has(r.method)))) {
    deps.services.audit.record({
      event: 'rejected',
      ...(peer.program ? { program: summarizeProgram(peer.program) } : {}),
      method: requests[0]?.method?.slice(0, 64) ?? '',
      outcome: 'rejected',
      errorCode: 'ERR_UNAUTHORIZED',
    })
    return { status: 401, payload: encodeError(null, new AgentError('ERR_UNAUTHORIZED')) }
  }
  const responses: JsonRpcResponse[] = []
  for (const item of decoded.items) {
    if (!item.ok) {
      responses.push(item.response)
      continue
    }
    const req = item.request
    const id = 'id' in req && req.id !== undefined ? req.id : undefined
    try {
      const result = await callOne(req, caller, deps, peer, signal)
      if (id !== undefined) responses.push(encodeSuccess(id, result))
    } catch (err) {
      if (isAgentError(err) && (err.code === 'ERR_SCOPE' || err.code === 'ERR_FORBIDDEN_PARAM' || err.code === 'ERR_RATE_LIMITED')) {
        deps.services.audit.record({
          event: 'rejected',
          ...(caller ? auditCallerOf(caller) : { client: { name: 'unknown' }, ...(peer.program ? { program: summarizeProgram(peer.program) } : {}) }),
          method: req.method.slice(0, 64),
          outcome: 'rejected',
          errorCode: err.code,
        })
      }
      if (id !== undefined) responses.push(encodeError(id, err))
    }
  }
  return { status: 200, payload: encodeReply(decoded.kind, responses) }
}

async function callOne(req: JsonRpcRequest | JsonRpcNotification, caller: Caller | undefined, deps: DispatchDeps, peer: PeerFacts, signal: AbortSignal | undefined): Promise<unknown> {
  if (hasForbiddenKey(req.params)) throw new AgentError('ERR_FORBIDDEN_PARAM', 'a parameter named like a PIN or password was sent; the agent asks the user itself')
  if (!Object.hasOwn(METHOD_TABLE, req.method)) throw new AgentError('ERR_METHOD_NOT_FOUND', `method not found: ${req.method.slice(0, 64)}`)
  const name = req.method as MethodName
  const handler = METHOD_TABLE[name]
  const who: Caller = caller ?? { id: 'anonymous', name: 'unpaired application', scopes: { methods: ['client.pair'], services: [] }, ...(peer.program ? { program: peer.program } : {}) }
  if (!handler.alwaysAllowed || !caller) {
    const endpoint = name === 'soap.call' && isRecord(req.params) && typeof req.params.endpoint === 'string' ? req.params.endpoint : undefined
    if (!isAllowed(who.scopes, name, endpoint)) throw new AgentError('ERR_SCOPE', `this application may not call ${name}`, { method: name })
  }
  // Threat T8: a paired application cannot hammer the token. The same user's CLI is not limited.
  const limit = who.id === 'local' ? { ok: true as const } : deps.rateLimiter.take(who.id)
  if (!limit.ok) throw new AgentError('ERR_RATE_LIMITED', undefined, { retryAfterMs: limit.retryAfterMs })
  const parsed = METHOD_PARAMS[name].safeParse(req.params ?? {})
  if (!parsed.success) {
    throw new AgentError('ERR_INVALID_PARAMS', `invalid params for ${name}`, {
      issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })),
    })
  }
  return (handler as { handle(p: unknown, ctx: unknown): Promise<unknown> }).handle(parsed.data, { caller: who, agent: deps.services, ...(signal ? { signal } : {}) })
}

/** Any key, at any depth (bounded), named like a secret (threat T10). */
function hasForbiddenKey(value: unknown, depth = 0): boolean {
  if (depth > 8 || typeof value !== 'object' || value === null) return false
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_PARAM_PATTERN.test(key)) return true
    if (hasForbiddenKey((value as Record<string, unknown>)[key], depth + 1)) return true
  }
  return false
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
