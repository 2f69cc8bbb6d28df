import type { RequestListener } from 'node:http'
import type { Hono } from 'hono'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError } from '../../protocol/errors.js'

/**
 * The hono app behind @hono/node-server's adapter, as a Node request listener that builds and
 * loads both at the first request that reaches it: the listener answers `POST /rpc` and `GET
 * /health` itself (rpc-listener.ts), so an agent that only signs never loads the framework, its
 * routers, the pages or the adapter (whose first use of the global `Request` loads Node's bundled
 * undici). A request that arrives while it loads waits for it; its body is not read meanwhile.
 */
export function lazyHonoListener(build: () => Promise<Hono>, onMalformed: () => void): RequestListener {
  let loading: Promise<RequestListener> | undefined
  return (req, res) => {
    loading ??= load(build, onMalformed).catch((err: unknown) => {
      loading = undefined // try again at the next request
      throw err
    })
    loading.then(
      (listener) => listener(req, res),
      () => {
        const body = JSON.stringify(encodeError(null, new AgentError('ERR_INTERNAL')))
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        res.end(body)
      },
    )
  }
}

async function load(build: () => Promise<Hono>, onMalformed: () => void): Promise<RequestListener> {
  const [{ getRequestListener, RequestError }, app] = await Promise.all([import('@hono/node-server'), build()])
  /**
   * The adapter refuses a request it cannot turn into a URL (no Host, a Host that is no host
   * name, a backslash in the path) before the app and its guards see it, with a bare 400. It is
   * answered as the guards answer instead: a JSON-RPC error, recorded as a refusal (threat T18).
   */
  const refuseMalformed = (err: unknown): Response => {
    const malformed = err instanceof RequestError
    if (malformed) onMalformed()
    const error = malformed
      ? new AgentError('ERR_INVALID_REQUEST', 'the request line or Host header is malformed', { reason: 'malformed-request' })
      : new AgentError('ERR_INTERNAL')
    return new Response(JSON.stringify(encodeError(null, error)), {
      status: malformed ? 400 : 500,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    })
  }
  return getRequestListener(app.fetch, { errorHandler: refuseMalformed })
}
