/**
 * What the guards need to know about the connection a request came on, read from the bindings
 * @hono/node-server passes as `c.env` (`{ incoming, outgoing }`, the same place its `getConnInfo`
 * reads; `env.server` when the bindings are nested).
 */

/** The connection of one request. `socket` identifies it (per-connection caches key on it). */
export type Connection =
  | { kind: 'tcp'; address: string; port: number; localPort: number | undefined; socket: object }
  | { kind: 'unix'; socket: object }
  | { kind: 'unknown' }

interface SocketLike {
  remoteAddress?: unknown
  remotePort?: unknown
  localPort?: unknown
  server?: { address?: () => unknown }
}

/**
 * The transport of the request, from Node's socket. A Unix-socket connection has no remote
 * address; but a TCP socket whose peer has already gone has none either, so "Unix" is only
 * concluded from positive evidence: the listening server's address is a path. Anything else is
 * `unknown`, and the guards refuse it (threat T12: refuse when in doubt).
 */
export function readConnection(env: unknown): Connection {
  const socket = findSocket(env)
  if (!socket) return { kind: 'unknown' }
  const { remoteAddress, remotePort, localPort } = socket
  if (typeof remoteAddress === 'string' && remoteAddress !== '') {
    if (typeof remotePort !== 'number') return { kind: 'unknown' }
    return { kind: 'tcp', address: remoteAddress, port: remotePort, localPort: typeof localPort === 'number' ? localPort : undefined, socket }
  }
  if (remoteAddress === undefined && isUnixServer(socket)) return { kind: 'unix', socket }
  return { kind: 'unknown' }
}

/** `peer` for the privacy log: `127.0.0.1:51234`, `[::1]:51234`, `unix`. */
export function describeConnection(connection: Connection): string | undefined {
  if (connection.kind === 'unix') return 'unix'
  if (connection.kind === 'unknown') return undefined
  const host = connection.address.includes(':') ? `[${connection.address}]` : connection.address
  return `${host}:${connection.port}`
}

function findSocket(env: unknown): SocketLike | undefined {
  if (!isObject(env)) return undefined
  const bindings = isObject(env.server) ? env.server : env
  const incoming = bindings.incoming
  if (!isObject(incoming) || !isObject(incoming.socket)) return undefined
  return incoming.socket as SocketLike
}

function isUnixServer(socket: SocketLike): boolean {
  // net.Server sets `socket.server` on every accepted socket; `address()` of a server listening
  // on a path is that path (a string), of a TCP server an AddressInfo object.
  try {
    return typeof socket.server?.address?.() === 'string'
  } catch {
    return false
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
