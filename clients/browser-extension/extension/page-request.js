/**
 * What a web page may send to the extension, and the answers it gets: JSON-RPC 2.0 objects, so a
 * web application reads them with the same `error.data.code` switch as any other client of the
 * agent (protocol/rpc/decode-response.ts works on them unchanged).
 *
 * Only the shape and a size bound are checked here. The native host validates the params
 * against the agent's own schema and knows the native messaging limits; checking them twice in
 * two languages would let the two drift apart.
 */

/** The methods a web page may ask for. Signing only: no session control, no admin, no soap.call. */
export const PAGE_METHODS = Object.freeze(['soap.sign'])

/**
 * The largest envelope (UTF-16 code units) forwarded to the native host. The host refuses far
 * less (its answer must fit Chrome's 1 MB host-to-browser limit), with an error that names that
 * limit; this bound only keeps absurd messages (Chrome allows 64 MiB) out of the pipe.
 */
export const MAX_FORWARDED_ENVELOPE = 4 * 1024 * 1024

/**
 * The agent's codes this extension answers with itself, with their JSON-RPC numbers, messages
 * and hints copied from protocol/rpc/errors.ts (a test checks they still agree).
 */
export const EXTENSION_ERRORS = Object.freeze({
  ERR_INVALID_REQUEST: { rpc: -32600, message: 'not a valid JSON-RPC 2.0 request', hint: 'send {"jsonrpc":"2.0","id":1,"method":"soap.sign","params":{"envelope":"..."}}' },
  ERR_METHOD_NOT_FOUND: { rpc: -32601, message: 'method not found', hint: 'web pages may call soap.sign' },
  ERR_INVALID_PARAMS: { rpc: -32602, message: 'invalid params', hint: 'params.envelope must be the SOAP envelope as a string' },
  ERR_INTERNAL: { rpc: -32603, message: 'internal error', hint: 'see the extension service worker console' },
  ERR_UNAUTHORIZED: { rpc: -32001, message: 'this web page may not use the extension', hint: 'the extension answers only the web applications listed in its manifest' },
  ERR_AGENT_UNREACHABLE: { rpc: -32062, message: 'the ehealth-agent native host is not installed or stopped', hint: 'install the agent for this user (ehagent install) and make sure it runs' },
  ERR_TIMEOUT: { rpc: -32034, message: 'the agent did not answer in time', hint: 'retry when the user is at the computer' },
  ERR_XML_TOO_LARGE: { rpc: -32042, message: 'the XML is too large', hint: 'see error.data.limit' },
})

/**
 * A JSON-RPC error answer.
 *
 * @param {string | number | null} id
 * @param {keyof typeof EXTENSION_ERRORS} code
 * @param {Record<string, unknown>} [data]
 * @param {string} [message]
 */
export function pageError(id, code, data = {}, message) {
  const entry = EXTENSION_ERRORS[code]
  return { jsonrpc: '2.0', id, error: { code: entry.rpc, message: message ?? entry.message, data: { ...data, code, hint: entry.hint } } }
}

/**
 * Read one message from a web page. Returns `{ ok: true, request }` with the request to forward,
 * or `{ ok: false, response }` with the error to answer at once.
 *
 * @param {unknown} message
 * @returns {{ ok: true, request: { id: string | number, method: string, params: Record<string, unknown> } } | { ok: false, response: ReturnType<typeof pageError> }}
 */
export function readPageRequest(message) {
  if (!isRecord(message)) return refuse(null, 'ERR_INVALID_REQUEST')
  const id = message.id
  const idOk = (typeof id === 'string' && id.length > 0 && id.length <= 64) || (Number.isSafeInteger(id) && /** @type {number} */ (id) >= 0)
  if (!idOk) return refuse(null, 'ERR_INVALID_REQUEST', { detail: 'id must be a non-empty string (at most 64 characters) or a non-negative integer' })
  const validId = /** @type {string | number} */ (id)
  if (message.jsonrpc !== '2.0' || typeof message.method !== 'string') return refuse(validId, 'ERR_INVALID_REQUEST')
  if (!PAGE_METHODS.includes(message.method)) return refuse(validId, 'ERR_METHOD_NOT_FOUND', { method: message.method.slice(0, 64) })
  const params = message.params
  if (!isRecord(params) || typeof params.envelope !== 'string') return refuse(validId, 'ERR_INVALID_PARAMS')
  if (params.envelope.length > MAX_FORWARDED_ENVELOPE) {
    return refuse(validId, 'ERR_XML_TOO_LARGE', { limit: MAX_FORWARDED_ENVELOPE, reason: 'extension-limit' })
  }
  return { ok: true, request: { id: validId, method: message.method, params } }
}

/** @param {string | number | null} id @param {keyof typeof EXTENSION_ERRORS} code @param {Record<string, unknown>} [data] */
function refuse(id, code, data) {
  return /** @type {const} */ ({ ok: false, response: pageError(id, code, data) })
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
