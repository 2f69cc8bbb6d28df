/**
 * Server side: JSON-RPC 2.0 request bodies, parsed and classified without ever throwing on what
 * a caller sent (https://www.jsonrpc.org/specification §4, §6; threat T18).
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { encodeError } from './encode-response.js'
import {
  JSONRPC_VERSION,
  type JsonRpcErrorResponse,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcParams,
  type JsonRpcRequest,
} from './json-rpc.js'

/**
 * Limits for {@link decodeRequestBody}.
 *
 * @example
 * ```ts
 * const options: DecodeRequestOptions = { maxBatchSize: 20 }
 * ```
 */
export interface DecodeRequestOptions {
  /** The most calls one batch may hold; a larger batch is refused as a whole. A positive integer. */
  maxBatchSize: number
}

/**
 * The default limits: 100 calls per batch, far more than any client of the agent needs.
 *
 * @example
 * ```ts
 * decodeRequestBody(text, { ...DEFAULT_DECODE_OPTIONS, maxBatchSize: 10 })
 * ```
 */
export const DEFAULT_DECODE_OPTIONS = {
  maxBatchSize: 100,
} as const satisfies DecodeRequestOptions

/**
 * One call of a body: either a request to dispatch, or the error response that replaces it.
 *
 * @example
 * ```ts
 * const item: DecodedItem = { ok: true, request: { jsonrpc: '2.0', method: 'agent.status', id: 1 } }
 * ```
 */
export type DecodedItem =
  | { ok: true; request: JsonRpcRequest | JsonRpcNotification }
  | { ok: false; response: JsonRpcErrorResponse }

/**
 * A classified body. `single`: the answer is one response object (or nothing for a
 * notification); `batch`: an array of responses in the order of `items`, leaving out
 * notifications (or nothing if only notifications remain). Parse errors, an empty array and an
 * oversized batch are `single` with one error item, as §7 shows for `[]`.
 *
 * @example
 * ```ts
 * const body: DecodedBody = { kind: 'single', items: [{ ok: true, request: { jsonrpc: '2.0', method: 'update' } }] }
 * ```
 */
export interface DecodedBody {
  kind: 'single' | 'batch'
  items: DecodedItem[]
}

/**
 * Parse a request body and classify it: one call or a batch, each call checked on its own so one
 * bad element of a batch yields its own Invalid Request error and the others still run. Invalid
 * JSON is a Parse error with id `null`. Never throws on the text; throws RangeError only for a
 * bad `options.maxBatchSize`.
 *
 * Requests are rebuilt from the known members only; `params` is handed over as parsed, plain data
 * (a `"__proto__"` key in it is an ordinary own property): validate it into new objects, never
 * merge it into existing ones.
 *
 * @example
 * ```ts
 * const body = decodeRequestBody('{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}')
 * // { kind: 'single', items: [{ ok: true, request: { jsonrpc: '2.0', method: 'subtract', params: [42, 23], id: 1 } }] }
 * decodeRequestBody('[]').items[0] // { ok: false, response: { ..., error: { code: -32600, ... }, id: null } }
 * ```
 */
export function decodeRequestBody(
  text: string,
  options: Partial<DecodeRequestOptions> = {},
): DecodedBody {
  const { maxBatchSize } = { ...DEFAULT_DECODE_OPTIONS, ...options } satisfies DecodeRequestOptions
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${String(maxBatchSize)}`)
  }
  let value: unknown
  try {
    // JSON.parse makes a "__proto__" key an own data property and never touches a prototype.
    value = JSON.parse(text)
  } catch {
    // The parser's message quotes the input back; the caller gets the bare Parse error.
    return refuse(new AgentError('ERR_PARSE'))
  }
  if (!Array.isArray(value)) return { kind: 'single', items: [decodeCall(value)] }
  if (value.length === 0) return refuse(invalid('a batch must hold at least one call'))
  if (value.length > maxBatchSize) {
    return refuse(invalid(`a batch may hold at most ${maxBatchSize} calls`, { limit: maxBatchSize }))
  }
  return { kind: 'batch', items: value.map(decodeCall) }
}

function refuse(err: AgentError): DecodedBody {
  return { kind: 'single', items: [{ ok: false, response: encodeError(null, err) }] }
}

function invalid(detail: string, data: Record<string, unknown> = {}): AgentError {
  return new AgentError('ERR_INVALID_REQUEST', undefined, { ...data, detail })
}

/** Checks one Request object (§4). */
function decodeCall(value: unknown): DecodedItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject(null, 'a call must be a JSON object')
  }
  const call = value as Record<string, unknown>
  const hasId = Object.hasOwn(call, 'id')
  const id = call['id']
  // §5: the id goes back when it could be read; a bad or missing one is answered with null.
  const replyId = hasId && isId(id) ? id : null
  if (call['jsonrpc'] !== JSONRPC_VERSION) return reject(replyId, '"jsonrpc" must be exactly "2.0"')
  const method = call['method']
  if (typeof method !== 'string') return reject(replyId, '"method" must be a string')
  const params = call['params']
  const hasParams = Object.hasOwn(call, 'params')
  if (hasParams && !isParams(params)) return reject(replyId, '"params" must be an array or an object')
  if (hasId && !isId(id)) return reject(null, '"id" must be a string, a finite number or null')

  const base: JsonRpcNotification = { jsonrpc: JSONRPC_VERSION, method }
  if (hasParams) base.params = params as JsonRpcParams
  return { ok: true, request: hasId ? { ...base, id: id as JsonRpcId } : base }
}

function reject(id: JsonRpcId, detail: string): DecodedItem {
  return { ok: false, response: encodeError(id, invalid(detail)) }
}

function isParams(value: unknown): value is JsonRpcParams {
  return typeof value === 'object' && value !== null
}

// A number too large for a double parses to Infinity, which JSON.stringify would echo as null:
// such an id could never be matched by the caller, so it is refused.
function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}
