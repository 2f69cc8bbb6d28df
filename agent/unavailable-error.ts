import { AgentError } from '../protocol/errors.js'
import type { HttpReply } from './http-transport.js'

/**
 * The error for an eHealth endpoint that answered 5xx without a SOAP fault. When eHealth is under
 * maintenance its front end answers HTTP 503 with an HTML page instead of SOAP; that is said
 * plainly (a user reads "under maintenance", not a protocol error), and it stays retryable like
 * any 503. A 429 (RFC 6585 §4) says the caller sent too many requests; `retryAfterMs`, when the
 * server named a wait, travels in the error's data so the caller knows when to come back.
 */
export function unavailableError(url: string, reply: HttpReply, retryAfterMs?: number): AgentError {
  const host = new URL(url).host
  const wait = retryAfterMs !== undefined ? { retryAfterMs } : {}
  if (reply.status === 503 && isHtml(reply)) {
    return new AgentError('ERR_UNAVAILABLE', `eHealth is under maintenance: ${host} answered HTTP 503 with its maintenance page; try again later`, {
      status: reply.status,
      maintenance: true,
      ...wait,
    })
  }
  const what = reply.status === 429 ? ' (too many requests)' : ''
  return new AgentError('ERR_UNAVAILABLE', `${host} answered HTTP ${reply.status}${what}`, { status: reply.status, ...wait })
}

function isHtml(reply: HttpReply): boolean {
  const type = reply.headers['content-type']
  const value = Array.isArray(type) ? type.join(',') : (type ?? '')
  return /\btext\/html\b/i.test(value) || /^\s*(<!doctype html|<html[\s>])/i.test(reply.body)
}
