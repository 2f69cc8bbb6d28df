import type { HttpExchange, HttpFetch, HttpTransport } from '../http-transport.js'

/** IAM Connect's calls are small JSON exchanges; a provider slower than this is down. */
const DEFAULT_TIMEOUT_MS = 30_000

/** Statuses whose response has no body (Fetch Standard, "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * `fetch` on top of the agent's transport, so IAM Connect's discovery, token and end-session
 * calls and jose's JWKS download share the one client — its proxy, extra CAs, keep-alive and
 * deadline — instead of Node's global fetch, which knows none of them. What those callers use is
 * supported: GET/POST/OPTIONS, string (or URLSearchParams) bodies, `signal`, and `redirect`
 * (never followed: `error` rejects a 3xx as fetch does, `manual` hands it back).
 */
export function createFetch(request: HttpTransport, timeoutMs = DEFAULT_TIMEOUT_MS): HttpFetch {
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'POST' && method !== 'OPTIONS') throw new TypeError(`the agent's fetch does not send ${method}`)
    const body = init.body
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof URLSearchParams)) {
      throw new TypeError("the agent's fetch sends string bodies only")
    }
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, name) => (headers[name] = value))
    if (body instanceof URLSearchParams && headers['content-type'] === undefined) headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8'
    const exchange: HttpExchange = {
      url,
      method: method as HttpExchange['method'],
      headers,
      timeoutMs,
      ...(body !== undefined && body !== null ? { body: String(body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    }
    const reply = await request(exchange)
    if (init.redirect === 'error' && reply.status >= 300 && reply.status < 400) {
      throw new TypeError(`${new URL(url).host} answered with a redirect (HTTP ${reply.status}), which is not followed`)
    }
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(reply.headers)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v)
    }
    return new Response(NULL_BODY.has(reply.status) ? null : reply.body, { status: reply.status, headers: responseHeaders })
  }
}
