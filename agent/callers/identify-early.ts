/**
 * Start finding the program behind a connection as soon as it is accepted, not when its first
 * request has been read: the lookup (a scan of /proc, or a tool run on macOS and Windows) then
 * overlaps with the client sending its request, and the guards find the answer ready or nearly
 * so. One lookup per socket either way: the guards ask for the same socket's promise.
 */
import type { Socket } from 'node:net'
import type { PeerConnection, PeerFacts, PeerIdentifier } from './caller-program.js'

export interface EarlyPeerIdentifier extends PeerIdentifier {
  /** Tell it about a socket just accepted (the server's 'connection' event). */
  connected(socket: Socket): void
}

export function identifyEarly(identifier: PeerIdentifier): EarlyPeerIdentifier {
  const started = new WeakMap<object, Promise<PeerFacts>>()
  return {
    connected(socket) {
      const { remoteAddress, remotePort, localPort, localAddress } = socket
      let connection: PeerConnection
      if (typeof remoteAddress === 'string' && typeof remotePort === 'number' && typeof localPort === 'number') {
        connection = { kind: 'tcp', address: remoteAddress, port: remotePort, localPort, ...(typeof localAddress === 'string' ? { localAddress } : {}), socket }
      } else if (remoteAddress === undefined) {
        connection = { kind: 'unix', socket }
      } else return
      started.set(socket, identifier.identify(connection).catch(() => ({})))
    },
    identify(connection) {
      const early = started.get(connection.socket)
      if (early) {
        started.delete(connection.socket)
        return early
      }
      return identifier.identify(connection)
    },
  }
}
