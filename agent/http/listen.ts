import { createServer, type RequestListener, type Server } from 'node:http'
import { AgentError } from '../../protocol/errors.js'

/**
 * Listen on a TCP address or a Unix socket with `listener` (rpc-listener.ts in front of the hono
 * app); a port in use becomes a clear error.
 */
export function listen(listener: RequestListener, where: { hostname: string; port: number } | { path: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    // requireHostHeader: false — Node would answer a request without Host with a bare 400 of its
    // own; let it reach the adapter's malformed-request refusal like the other requests that name
    // no host (hono-listener.ts).
    const server = createServer({ requireHostHeader: false }, listener)
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
