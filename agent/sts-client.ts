import { AgentError, isAgentError } from '../protocol/errors.js'
import { faultToAgentError, parseSoapFault } from '../protocol/soap/parse-fault.js'
import { splitEnvelope } from '../protocol/soap/split-envelope.js'
import type { HttpReply, HttpTransport } from './http-transport.js'
import { parseRetryAfter } from './parse-retry-after.js'
import { unavailableError } from './unavailable-error.js'

/**
 * SOAP actions of the WS-Trust STS (the STS WSDL `ehealth-iam-sts-ws-trust-1.3-proxy-v1.wsdl`). The
 * SAML-P STS's depends on its endpoint: protocol/saml/samlp-soap-actions.ts.
 */
export const STS_ACTIONS = {
  issue: 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken',
  challenge: 'urn:be:fgov:ehealth:sts:protocol:v1:Challenge',
} as const

/** Options of {@link createSoapPoster}; resolved once. */
export interface SoapPosterOptions {
  transport: HttpTransport
  /** Waits between attempts (injected so tests run with a fake clock). */
  sleep: (ms: number) => Promise<void>
  /** Jitter source in [0, 1). */
  random: () => number
  /** The clock the deadline is measured on (ms since the epoch); injected with `sleep`. Default Date.now. */
  now?: () => number
  /** Longest wait for one answer; default 30 s (never past the deadline). */
  timeoutMs?: number
  /**
   * The whole call's budget, retries and waits included; default 60 s. A wait that would end
   * past it (a long Retry-After) is not taken: the call fails at once, saying when to retry.
   */
  deadlineMs?: number
  /** Attempts in all, the first included; default 3. */
  maxAttempts?: number
  /** First back-off delay; doubled each retry, plus up to 100% jitter. Default 250 ms. */
  baseDelayMs?: number
  userAgent?: string
  /** Told before each retry (progress for the user: "STS unavailable, retrying in 0.5 s"). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void
}

/** What a SOAP POST returns on success: the response envelope text. */
export type SoapPoster = (url: string, envelope: string, soapAction: string, from: 'sts' | 'service') => Promise<string>

/**
 * POST a SOAP 1.1 envelope and return the response envelope, retrying only what is worth
 * retrying: connection errors, timeouts, 429 Too Many Requests (RFC 6585 §4) and 5xx answers
 * that are not eHealth BusinessErrors, all within the call's deadline. A `Retry-After` on a 429
 * or 503 (RFC 9110 §10.2.3) says how long to wait; without one the wait doubles from 250 ms,
 * with jitter. A BusinessError (or any other 4xx) is the caller's problem: it is surfaced at once
 * with eHealth's code, messages and environment, never retried (retrying a refused login could
 * lock accounts and hides the real cause).
 *
 * SOAP 1.1 faults arrive as HTTP 500 (SOAP 1.1 §6.2), so a 500 is parsed before deciding.
 */
export function createSoapPoster(options: SoapPosterOptions): SoapPoster {
  const opts = { timeoutMs: 30_000, deadlineMs: 60_000, maxAttempts: 3, baseDelayMs: 250, userAgent: 'ehealth-agent', now: Date.now, ...options } satisfies SoapPosterOptions
  return async (url, envelope, soapAction, from) => {
    const deadline = opts.now() + opts.deadlineMs
    let lastError: AgentError | undefined
    for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
      let retryable: boolean
      /** The wait the server asked for, if it named one. */
      let retryAfterMs: number | undefined
      try {
        const reply = await opts.transport({
          url,
          method: 'POST',
          // WS-I BP R1109: the SOAPAction value is a quoted string.
          headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${soapAction}"`, 'User-Agent': opts.userAgent },
          body: envelope,
          timeoutMs: Math.max(1, Math.min(opts.timeoutMs, deadline - opts.now())),
        })
        const fault = readFault(reply.body)
        if (reply.status >= 200 && reply.status < 300 && !fault) return reply.body
        if (fault) {
          lastError = faultToAgentError(fault, from)
          // A SystemError may say Retry=true; a BusinessError never is retried.
          retryable = reply.status >= 500 && fault.ehealth?.kind !== 'BusinessError' && fault.ehealth?.retry !== false
          if (!fault.ehealth && fault.codeLocalName === 'Client') retryable = false
        } else if (reply.status >= 500 || reply.status === 429) {
          retryAfterMs = reply.status === 429 || reply.status === 503 ? readRetryAfter(reply, opts.now()) : undefined
          lastError = unavailableError(url, reply, retryAfterMs)
          retryable = true
        } else {
          lastError = new AgentError('ERR_REMOTE_PROTOCOL', `${new URL(url).host} answered HTTP ${reply.status}`, { status: reply.status })
          retryable = false
        }
      } catch (err) {
        if (!isAgentError(err)) throw err
        lastError = err
        retryable = err.code === 'ERR_NETWORK' || err.code === 'ERR_TIMEOUT'
      }
      if (!retryable || attempt === opts.maxAttempts) break
      const delayMs = retryAfterMs ?? Math.round(opts.baseDelayMs * 2 ** (attempt - 1) * (1 + opts.random()))
      // A wait that ends past the deadline is pointless: fail now (with retryAfterMs, when the
      // server named one, so the caller knows when to come back).
      if (opts.now() + delayMs >= deadline) break
      opts.onRetry?.({ attempt, delayMs, reason: lastError.message })
      await opts.sleep(delayMs)
    }
    throw lastError!
  }
}

function readRetryAfter(reply: HttpReply, nowMs: number): number | undefined {
  const header = (name: string) => {
    const value = reply.headers[name]
    return Array.isArray(value) ? value[0] : value
  }
  return parseRetryAfter(header('retry-after'), nowMs, header('date'))
}

/** The SOAP fault in a body, if it is a SOAP envelope holding one. */
function readFault(body: string) {
  if (!body.includes('Fault')) return undefined
  try {
    return parseSoapFault(splitEnvelope(body, { allowSecurityHeader: true }))
  } catch {
    return undefined
  }
}
