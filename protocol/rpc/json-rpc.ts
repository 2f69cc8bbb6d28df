/**
 * The JSON-RPC 2.0 message shapes (https://www.jsonrpc.org/specification §4, §5).
 *
 * @module
 */
import type { ErrorCode } from '../errors.js'

/**
 * The only protocol version this codec speaks; `jsonrpc` must be exactly this string (§4).
 *
 * @example
 * ```ts
 * const ping = { jsonrpc: JSONRPC_VERSION, method: 'agent.status', id: 1 }
 * ```
 */
export const JSONRPC_VERSION = '2.0'

/**
 * A request id (§4). `null` is allowed but discouraged, and so are fractional numbers; a
 * response carries `null` when the id of a request could not be read.
 *
 * @example
 * ```ts
 * const id: JsonRpcId = 'a1'
 * ```
 */
export type JsonRpcId = string | number | null

/**
 * The params of a call: by position or by name (§4.2).
 *
 * @example
 * ```ts
 * const byName: JsonRpcParams = { profile: 'doctor' }
 * const byPosition: JsonRpcParams = [42, 23]
 * ```
 */
export type JsonRpcParams = unknown[] | Record<string, unknown>

/**
 * A call that expects an answer (§4).
 *
 * @example
 * ```ts
 * const call: JsonRpcRequest = { jsonrpc: '2.0', method: 'session.login', params: { profile: 'doctor' }, id: 7 }
 * ```
 */
export interface JsonRpcRequest {
  jsonrpc: typeof JSONRPC_VERSION
  method: string
  params?: JsonRpcParams
  id: JsonRpcId
}

/**
 * A call without an `id` member: the server runs it and never answers it (§4.1).
 *
 * @example
 * ```ts
 * const note: JsonRpcNotification = { jsonrpc: '2.0', method: 'agent.ping' }
 * ```
 */
export interface JsonRpcNotification {
  jsonrpc: typeof JSONRPC_VERSION
  method: string
  params?: JsonRpcParams
  /** Absent by definition; typed so that a request is never mistaken for a notification. */
  id?: never
}

/**
 * A successful answer (§5). `result` is always present, `null` when there is nothing to say.
 *
 * @example
 * ```ts
 * const ok: JsonRpcSuccess<number> = { jsonrpc: '2.0', result: 19, id: 1 }
 * ```
 */
export interface JsonRpcSuccess<T = unknown> {
  jsonrpc: typeof JSONRPC_VERSION
  result: T
  id: JsonRpcId
}

/**
 * What this agent puts in `error.data`: the stable string code clients switch on, the hint, and
 * the error's own safe details (never a stack, a path, a PIN, a body or key material).
 *
 * @example
 * ```ts
 * const data: JsonRpcErrorData = { code: 'ERR_PIN_INCORRECT', hint: 'see error.data.retriesLeft', retriesLeft: 2 }
 * ```
 */
export interface JsonRpcErrorData {
  code: ErrorCode
  hint?: string
  [key: string]: unknown
}

/**
 * The `error` member of a failed answer (§5.1).
 *
 * @example
 * ```ts
 * const error: JsonRpcErrorObject = { code: -32601, message: 'method not found', data: { code: 'ERR_METHOD_NOT_FOUND' } }
 * ```
 */
export interface JsonRpcErrorObject {
  code: number
  message: string
  data?: JsonRpcErrorData
}

/**
 * A failed answer (§5).
 *
 * @example
 * ```ts
 * const failed: JsonRpcErrorResponse = {
 *   jsonrpc: '2.0',
 *   error: { code: -32700, message: 'request is not valid JSON', data: { code: 'ERR_PARSE' } },
 *   id: null,
 * }
 * ```
 */
export interface JsonRpcErrorResponse {
  jsonrpc: typeof JSONRPC_VERSION
  error: JsonRpcErrorObject
  id: JsonRpcId
}

/**
 * Any answer.
 *
 * @example
 * ```ts
 * const answer: JsonRpcResponse = { jsonrpc: '2.0', result: null, id: 'a1' }
 * ```
 */
export type JsonRpcResponse = JsonRpcSuccess | JsonRpcErrorResponse

/**
 * True when `message` is a notification, which the server must not answer (§4.1). Decoded
 * requests are rebuilt by the codec, so an `id` member is present exactly when the caller sent one.
 *
 * @example
 * ```ts
 * isNotification({ jsonrpc: '2.0', method: 'update' }) // true
 * isNotification({ jsonrpc: '2.0', method: 'update', id: null }) // false: a (discouraged) call
 * ```
 */
export function isNotification(
  message: JsonRpcRequest | JsonRpcNotification,
): message is JsonRpcNotification {
  return !Object.hasOwn(message, 'id')
}
