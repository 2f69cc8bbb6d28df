/**
 * The shapes of the agent's HTTP: what the STS client's poster, soap.call, IAM Connect and the
 * doctor ask of it. The one implementation is agent/net/http-client.ts (undici: deadline,
 * keep-alive, proxy, extra CAs); tests may inject their own.
 */

/** One HTTP exchange, as the STS client and soap.call need it. */
export interface HttpExchange {
  url: string
  method: 'POST' | 'GET' | 'OPTIONS'
  headers: Record<string, string>
  body?: string
  /**
   * The total deadline, ms: connecting (and the proxy's CONNECT), TLS, sending, and reading the
   * whole answer all happen within it, or the call fails with ERR_TIMEOUT.
   */
  timeoutMs: number
  /** The caller's own cancellation (its reason is thrown). */
  signal?: AbortSignal
}

export interface HttpReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Sends one request; injected so tests and the sandbox can swap it. */
export type HttpTransport = (exchange: HttpExchange) => Promise<HttpReply>

/** `fetch` as IAM Connect and jose use it, served by the same client (string bodies only). */
export type HttpFetch = (url: string, init?: RequestInit) => Promise<Response>
