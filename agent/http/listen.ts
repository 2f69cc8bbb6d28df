import { createServer, type Server } from 'node:http'
import { getRequestListener, RequestError } from '@hono/node-server'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError } from '../../protocol/errors.js'
import type { AgentHttp } from './app.js'
import { createRpcListener } from './rpc-listener.js'

/**
 * Listen on a TCP address or a Unix socket; a port in use becomes a clear error. `POST /rpc` is
 * served by the direct path (rpc-listener.ts), everything else by the hono app through
 * @hono/node-server.
 */
export function listen(http: AgentHttp, where: { hostname: string; port: number } | { path: string }, onMalformed: () => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const viaHono = getRequestListener(http.app.fetch, { errorHandler: (err) => refuseMalformed(err, onMalformed) })
    // requireHostHeader: false — Node would answer a request without Host with a bare 400 of its
    // own; let it reach refuseMalformed like the other requests that name no host.
    const server = createServer({ requireHostHeader: false }, createRpcListener(http.rpc, viaHono))
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' && 'port' in where) {
        reject(new AgentError('ERR_CONFIG_INVALID', `port ${where.port} on ${where.hostname} is already in use`, { port: where.port, detail: 'port in use' }))
      } else reject(err)
    })
    if ('path' in where) server.listen(where.path, () => resolve(server))
    else server.listen(where.port, where.hostname, () => resolve(server))
  })
}

/** Stop accepting, drop the open connections (keep-alive clients would hold it open) and wait. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise<void>((resolve) => server.close(() => resolve()))
}

/**
 * The HTTP adapter refuses a request it cannot turn into a URL (no Host, a Host that is no host
 * name, a backslash in the path) before the app and its guards see it, with a bare 400. It is
 * answered as the guards answer instead: a JSON-RPC error, recorded as a refusal (threat T18).
 */
function refuseMalformed(err: unknown, onMalformed: () => void): Response {
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
