import { createServer, type RequestListener, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { AgentError } from '../../protocol/errors.js'
import { isLoopbackAddress } from './ip-address.js'

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
 * Listen on a TCP address or a Unix socket with `listener` (rpc-listener.ts in front of the hono
 * app); a port in use becomes a clear error. On TCP, a peer that is not loopback (reachable only
 * through a port forward or route_localnet, since the agent binds loopback) has its connection
 * closed as it is accepted, before a byte is read: it never gets an answer (threat T12). The
 * guards check again per request. `onConnection` hears of every socket let in.
 */
export function listen(listener: RequestListener, where: { hostname: string; port: number } | { path: string }, options: ListenOptions = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    // requireHostHeader: false — Node would answer a request without Host with a bare 400 of its
    // own; let it reach the adapter's malformed-request refusal like the other requests that name
    // no host (hono-listener.ts).
    const server = createServer({ requireHostHeader: false }, listener)
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
