import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { getRequestListener, RequestError } from '@hono/node-server'
import { encodeError } from '../../protocol/rpc/encode-response.js'
import { AgentError } from '../../protocol/errors.js'
import { isLoopbackAddress } from './ip-address.js'

type FetchHandler = Parameters<typeof getRequestListener>[0]

/** What a listener does with the sockets it accepts. */
export interface ListenOptions {
  /** Hears of every accepted socket (a loopback one, on TCP) before its first request is read. */
  onConnection?: (socket: Socket) => void
  /** Told (`address:port`) when a connection from a peer that is not loopback was closed. */
  onForeignPeer?: (peer: string) => void
  /** Which peers are loopback; isLoopbackAddress by default (tests pretend otherwise). */
  isLoopbackPeer?: (address: string) => boolean
}

/**
 * Listen on a TCP address or a Unix socket; a port in use becomes a clear error. On TCP, a peer
 * that is not loopback (reachable only through a port forward or route_localnet, since the agent
 * binds loopback) has its connection closed as it is accepted, before a byte is read: it never
 * gets an answer (threat T12). The guards check again per request. `onConnection` hears of
 * every socket let in.
 */
export function listen(
  fetch: FetchHandler,
  where: { hostname: string; port: number } | { path: string },
  onMalformed: () => void,
  options: ListenOptions = {},
): Promise<Server> {
  return new Promise((resolve, reject) => {
    // requireHostHeader: false — Node would answer a request without Host with a bare 400 of its
    // own; let it reach refuseMalformed like the other requests that name no host.
    const server = createServer({ requireHostHeader: false }, getRequestListener(fetch, { errorHandler: (err) => refuseMalformed(err, onMalformed) }))
    if (!('path' in where)) {
      const isLoopbackPeer = options.isLoopbackPeer ?? isLoopbackAddress
      // Before the HTTP parser's own listener: nothing of the request is read or answered.
      server.prependListener('connection', (socket: Socket) => {
        const address = socket.remoteAddress
        if (address !== undefined && isLoopbackPeer(address)) return options.onConnection?.(socket)
        socket.destroy()
        try {
          options.onForeignPeer?.(address === undefined ? 'unknown' : `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? 0}`)
        } catch {
          // A failing log must not keep the connection open: it is closed already.
        }
      })
    } else if (options.onConnection) {
      server.on('connection', options.onConnection)
    }
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
