/**
 * Server side: answers as JSON-RPC 2.0 response objects, and the rules for what goes back on
 * the wire for a single call or a batch (https://www.jsonrpc.org/specification §5, §6).
 *
 * @module
 */
import { ERROR_CODES, isAgentError, type ErrorCode } from '../errors.js'
import {
  JSONRPC_VERSION,
  type JsonRpcErrorData,
  type JsonRpcErrorResponse,
  type JsonRpcId,
  type JsonRpcResponse,
  type JsonRpcSuccess,
} from './json-rpc.js'

/**
 * The answer to a call that succeeded. An `undefined` result becomes `null`, because §5 requires
 * the `result` member and `JSON.stringify` would drop an undefined one.
 *
 * @example
 * ```ts
 * encodeSuccess(1, 19) // { jsonrpc: '2.0', result: 19, id: 1 }
 * ```
 */
export function encodeSuccess<T>(id: JsonRpcId, result: T): JsonRpcSuccess<T | null> {
  return { jsonrpc: JSONRPC_VERSION, result: result === undefined ? null : result, id }
}

/**
 * The answer to a call that failed. An AgentError keeps its message and safe data, with
 * `error.code` its JSON-RPC number and `error.data.code` its stable string code. Anything else
 * is a bug on our side: it becomes ERR_INTERNAL with the table's generic message, and nothing of
 * it (message, stack, paths) reaches the caller; log it before calling this.
 *
 * @example
 * ```ts
 * encodeError(7, new AgentError('ERR_PIN_INCORRECT', undefined, { retriesLeft: 2 }))
 * // { jsonrpc: '2.0', id: 7, error: { code: -32012, message: 'the PIN is incorrect',
 * //   data: { retriesLeft: 2, code: 'ERR_PIN_INCORRECT', hint: 'see error.data.retriesLeft; ...' } } }
 * encodeError(8, new Error('ENOENT /home/doctor/.config/x')).error.message // 'internal error'
 * ```
 */
export function encodeError(id: JsonRpcId, err: unknown): JsonRpcErrorResponse {
  // isAgentError also accepts look-alikes from another copy of the module; its `in` check would
  // let 'toString' through, so the code is checked again against the table's own keys.
  const known = isAgentError(err) && Object.hasOwn(ERROR_CODES, err.code)
  const code: ErrorCode = known ? err.code : 'ERR_INTERNAL'
  const entry = ERROR_CODES[code]
  const message = known && typeof err.message === 'string' ? err.message : entry.message
  const extra = known ? toPlainJson(err.data) : {}
  const data: JsonRpcErrorData = {
    ...extra,
    // The stable code always wins: clients switch on it. A string hint in the data may refine
    // the table's hint for this one occurrence.
    code,
    hint: typeof extra.hint === 'string' ? extra.hint : entry.hint,
  }
  return { jsonrpc: JSONRPC_VERSION, error: { code: entry.rpc, message, data }, id }
}

/**
 * What the server sends back for a decoded body (§6): for a single call its one response; for a
 * batch the array of responses; and nothing (`undefined`) when there is nothing to answer (a
 * notification, or a batch of only notifications), because §6 forbids answering with `[]`.
 *
 * @example
 * ```ts
 * encodeReply('batch', [encodeSuccess('1', 7)]) // [{ jsonrpc: '2.0', result: 7, id: '1' }]
 * encodeReply('batch', []) // undefined: send no body (HTTP 204)
 * ```
 */
export function encodeReply(
  kind: 'single' | 'batch',
  responses: readonly JsonRpcResponse[],
): JsonRpcResponse | JsonRpcResponse[] | undefined {
  if (responses.length === 0) return undefined
  return kind === 'batch' ? [...responses] : responses[0]
}

/**
 * A JSON-only copy of error data, so that a cycle, a BigInt or a throwing getter in it cannot
 * make the server fail while writing the answer (threat T18): unserializable data is dropped.
 */
function toPlainJson(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null) return {}
  try {
    const copy: unknown = JSON.parse(JSON.stringify(data))
    const isRecord = typeof copy === 'object' && copy !== null && !Array.isArray(copy)
    return isRecord ? (copy as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
