import * as z from 'zod'
import { AgentError } from '../../../protocol/errors.js'
import type { JsonRpcId } from '../../../protocol/rpc/json-rpc.js'
import { METHOD_PARAMS, type MethodParams } from '../../../protocol/rpc/methods.js'
import { NATIVE_ANSWER_MAX_BYTES } from './native-messaging-frames.js'

/** A request from the extension, checked: what the host may forward to the agent. */
export interface HostRequest {
  id: string | number
  method: 'soap.sign'
  params: MethodParams<'soap.sign'>
  /** The web page that asked, as the browser reported it to the extension. */
  origin: string
}

/** The extension's message: JSON-RPC 2.0 plus the page's origin. Unknown members are refused. */
const requestSchema = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: z.union([z.string().min(1).max(64), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]),
    method: z.string().min(1).max(64),
    params: z.unknown(),
    origin: z.string().min(1).max(2048),
  })
  .strict()

/**
 * Check one message from the extension before anything reaches the agent: the JSON-RPC shape,
 * the one method web pages may use, its params against the agent's own schema, the page's origin,
 * and that the answer can fit the 1 MB Chrome lets a host send back. A refusal is an AgentError
 * with the request's id when it could be read (`null` otherwise), to be answered as is.
 */
export function readHostRequest(value: unknown): { ok: true; request: HostRequest } | { ok: false; id: JsonRpcId; error: AgentError } {
  const id = readId(value)
  const shape = requestSchema.safeParse(value)
  if (!shape.success) return refuse(id, new AgentError('ERR_INVALID_REQUEST', undefined, { issues: listIssues(shape.error) }))
  const message = shape.data
  if (message.method !== 'soap.sign') {
    return refuse(message.id, new AgentError('ERR_METHOD_NOT_FOUND', `web pages may call soap.sign, not ${message.method}`, { method: message.method }))
  }
  if (!isWebOrigin(message.origin)) {
    return refuse(message.id, new AgentError('ERR_INVALID_REQUEST', 'the request does not name the web page it comes from', { reason: 'origin' }))
  }
  const params = METHOD_PARAMS['soap.sign'].safeParse(message.params)
  if (!params.success) return refuse(message.id, new AgentError('ERR_INVALID_PARAMS', undefined, { issues: listIssues(params.error) }))
  // The signed envelope is longer than this one, JSON-escaped the same way: if this one alone
  // cannot fit the answer, nothing is signed for an answer the browser would never receive.
  const escaped = Buffer.byteLength(JSON.stringify(params.data.envelope), 'utf8')
  if (escaped > NATIVE_ANSWER_MAX_BYTES) {
    return refuse(message.id, tooLargeForNativeMessaging())
  }
  return { ok: true, request: { id: message.id, method: 'soap.sign', params: params.data, origin: message.origin } }
}

/** ERR_XML_TOO_LARGE naming the native messaging limit (the agent itself takes far larger envelopes). */
export function tooLargeForNativeMessaging(): AgentError {
  return new AgentError(
    'ERR_XML_TOO_LARGE',
    'the envelope is too large for the browser extension: a signed envelope must fit in the 1 MB a native messaging host may send to the browser',
    { limit: NATIVE_ANSWER_MAX_BYTES, reason: 'native-messaging-limit', hint: 'send larger envelopes from desktop software over the loopback API' },
  )
}

function refuse(id: JsonRpcId, error: AgentError): { ok: false; id: JsonRpcId; error: AgentError } {
  return { ok: false, id, error }
}

/** The id, when there is a usable one, so even a refused request is answered under its id. */
function readId(value: unknown): JsonRpcId {
  if (typeof value !== 'object' || value === null) return null
  const id = (value as { id?: unknown }).id
  if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id
  return null
}

/** An http(s) origin exactly as a browser writes one: scheme, host, optional port, nothing else. */
function isWebOrigin(origin: string): boolean {
  try {
    const url = new URL(origin)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin
  } catch {
    return false
  }
}

function listIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 10).map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
}
