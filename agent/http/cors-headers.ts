/**
 * CORS for the allowed browser-extension origins only (threat T1). A web page gets no
 * `Access-Control-Allow-Origin` on anything, so even a request the guards let through (a GET
 * /health from a page) cannot be read by it.
 */

/** Methods and headers an allowed extension may use; the credential travels in `authorization`. */
const ALLOW_METHODS = 'GET, POST'
const ALLOW_HEADERS = 'content-type, authorization'
const MAX_AGE_SECONDS = '600'

/**
 * The answer to a preflight from an allowed origin. `Access-Control-Allow-Private-Network` is
 * deliberately not sent: web pages are not meant to reach the agent (threat T13; extensions use
 * native messaging or their host permissions).
 */
export function createPreflightResponse(origin: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': ALLOW_METHODS,
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': MAX_AGE_SECONDS,
      vary: 'Origin',
    },
  })
}

/**
 * Makes `response` carry CORS headers for `allowedOrigin` only, and removes any the app set for
 * anyone else. Returns the response to send: `response` itself, or a copy when its headers are
 * immutable (a `Response.redirect()` or a fetched response).
 */
export function applyCorsHeaders(response: Response, allowedOrigin: string | undefined): Response {
  try {
    setCorsHeaders(response.headers, allowedOrigin)
    return response
  } catch {
    const copy = new Response(response.body, response)
    setCorsHeaders(copy.headers, allowedOrigin)
    return copy
  }
}

/**
 * The CORS headers of an answer the agent builds itself (the listener's direct `/rpc` path): what
 * {@link applyCorsHeaders} gives a response that had none.
 */
export function corsHeadersFor(allowedOrigin: string | undefined): Record<string, string> {
  return allowedOrigin === undefined ? {} : { 'access-control-allow-origin': allowedOrigin, vary: 'Origin' }
}

function setCorsHeaders(headers: Headers, allowedOrigin: string | undefined): void {
  if (allowedOrigin === undefined) {
    headers.delete('access-control-allow-origin')
    headers.delete('access-control-allow-credentials')
    return
  }
  headers.set('access-control-allow-origin', allowedOrigin)
  // The answer differs per Origin, so no cache may reuse it for another (Fetch §3.2.5).
  const vary = headers.get('vary') ?? ''
  if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) headers.append('vary', 'Origin')
}
