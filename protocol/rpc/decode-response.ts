/**
 * Client side: JSON-RPC 2.0 answers read back into results and AgentErrors, so a client can
 * `switch (err.code)` on the same codes the agent threw (https://www.jsonrpc.org/specification §5).
 *
 * @module
 */
import { AgentError, codeForRpcNumber, ERROR_CODES, type ErrorCode } from '../errors.js'
import { JSONRPC_VERSION, type JsonRpcId } from './json-rpc.js'

/**
 * One answer, read: the result of a call, or the AgentError it failed with.
 *
 * @example
 * ```ts
 * const answer: DecodedResponse = { ok: true, id: 1, result: 19 }
 * ```
 */
export type DecodedResponse =
  | { ok: true; id: JsonRpcId; result: unknown }
  | { ok: false; id: JsonRpcId; error: AgentError }

/**
 * Read one parsed response object (map it over a batch answer). Never throws: something that is
 * not a JSON-RPC 2.0 response becomes an ERR_REMOTE_PROTOCOL error with id `null`.
 *
 * @example
 * ```ts
 * const answer = decodeResponse(await res.json())
 * if (!answer.ok) {
 *   switch (answer.error.code) {
 *     case 'ERR_NOT_LOGGED_IN': // ...
 *   }
 * }
 * ```
 */
export function decodeResponse(value: unknown): DecodedResponse {
  if (!isRecord(value) || value['jsonrpc'] !== JSONRPC_VERSION) {
    return malformed('the answer is not a JSON-RPC 2.0 response object')
  }
  const id = value['id']
  if (!(id === null || typeof id === 'string' || typeof id === 'number')) {
    return malformed('the answer has no valid "id"')
  }
  const hasResult = Object.hasOwn(value, 'result')
  const hasError = Object.hasOwn(value, 'error')
  // §5: exactly one of the two members.
  if (hasResult === hasError) {
    return malformed('the answer must hold exactly one of "result" and "error"', id)
  }
  if (hasResult) return { ok: true, id, result: value['result'] }
  return { ok: false, id, error: decodeError(value['error']) }
}

/**
 * Rebuild an AgentError from a wire `error` object: the code is `error.data.code` when this
 * client knows it, else the code of the JSON-RPC number, else ERR_INTERNAL. The other members of
 * `error.data` become the error's data, except `code`, and `hint` when it is the table's own.
 *
 * @example
 * ```ts
 * const err = decodeError({ code: -32012, message: 'the PIN is incorrect', data: { code: 'ERR_PIN_INCORRECT', retriesLeft: 2 } })
 * err.code // 'ERR_PIN_INCORRECT'
 * err.data // { retriesLeft: 2 }
 * ```
 */
export function decodeError(error: unknown): AgentError {
  if (!isRecord(error) || typeof error['code'] !== 'number') {
    const detail = 'the answer holds a malformed "error" object'
    return new AgentError('ERR_REMOTE_PROTOCOL', undefined, { detail })
  }
  const rawData = isRecord(error['data']) ? error['data'] : {}
  // Rest destructuring copies into a new plain object, so even a "__proto__" key stays data.
  const { code: wireCode, hint, ...data } = rawData
  const code: ErrorCode = isKnownCode(wireCode)
    ? wireCode
    : (codeForRpcNumber(error['code']) ?? 'ERR_INTERNAL')
  // The table gives the hint back through AgentError.hint; only a hint refined for this one
  // occurrence is worth keeping in the data.
  if (typeof hint === 'string' && hint !== ERROR_CODES[code].hint) data['hint'] = hint
  const message = typeof error['message'] === 'string' ? error['message'] : ERROR_CODES[code].message
  return new AgentError(code, message, data)
}

function malformed(detail: string, id: JsonRpcId = null): DecodedResponse {
  return { ok: false, id, error: new AgentError('ERR_REMOTE_PROTOCOL', undefined, { detail }) }
}

function isKnownCode(value: unknown): value is ErrorCode {
  // Own keys only: 'toString' or '__proto__' are not codes.
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
