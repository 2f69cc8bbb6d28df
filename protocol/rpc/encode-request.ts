/**
 * Client side: JSON-RPC 2.0 calls (https://www.jsonrpc.org/specification §4).
 *
 * @module
 */
import { JSONRPC_VERSION, type JsonRpcParams, type JsonRpcRequest } from './json-rpc.js'

/**
 * A call to send with `JSON.stringify`. `params` may be left out (`undefined`); the id should be
 * unique among the caller's calls in flight, and an integer when it is a number.
 *
 * @example
 * ```ts
 * JSON.stringify(encodeRequest('subtract', [42, 23], 1))
 * // '{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}'
 * encodeRequest('agent.status', undefined, 'a1') // { jsonrpc: '2.0', method: 'agent.status', id: 'a1' }
 * ```
 */
export function encodeRequest(
  method: string,
  params: JsonRpcParams | undefined,
  id: string | number,
): JsonRpcRequest {
  return params === undefined
    ? { jsonrpc: JSONRPC_VERSION, method, id }
    : { jsonrpc: JSONRPC_VERSION, method, params, id }
}
