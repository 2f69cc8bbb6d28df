import type { PeerFacts, PeerIdentifier } from '../callers/caller-program.js'
import type { GuardOptions } from './api-guard.js'
import { createHostAllowlist, isAllowedHost } from './host-allowlist.js'
import { isLoopbackAddress } from './ip-address.js'
import type { Connection } from './read-connection.js'
import { isOriginForm } from './read-request-target.js'

/** Why a connection is refused before its request is looked at. */
export type ConnectionRefusal = 'unknown-transport' | 'non-loopback-peer' | 'peer-uid-unknown' | 'peer-uid-mismatch' | 'target-not-origin-form' | 'host-not-allowed'

/** The check of {@link createConnectionCheck}, and what it learnt of each connection. */
export interface ConnectionCheck {
  (connection: Connection, host: string | undefined, target: string | undefined): Promise<ConnectionRefusal | undefined>
  /** What the OS said about the connection (uid, program); `{}` before the check ran or when unknown. */
  peerOf(connection: Connection): Promise<PeerFacts>
}

/**
 * The checks every route shares, API and pages alike: a known transport, a loopback peer (T12,
 * beyond binding 127.0.0.1), the peer's uid on Linux (T5: every user of a terminal server shares
 * loopback; the Unix socket is 0600 in a 0700 directory, so the kernel already limits it), a
 * request target in origin-form and an exact Host (T2, DNS rebinding: a target in absolute form
 * names its own host, which would take the place of Host, RFC 9112 §3.2.2). `target` is the raw
 * request target; undefined for a request built in-process.
 *
 * Who is behind a connection (uid, and with `identifyPeer` the program) is looked up once per
 * socket, not per request: the owner of a socket does not change while it is open, and a
 * keep-alive client pays for the lookup on its first request only.
 */
export function createConnectionCheck(options: Pick<GuardOptions, 'port' | 'peerUid'> & { identifyPeer?: PeerIdentifier | undefined }): ConnectionCheck {
  const hosts = createHostAllowlist(options.port)
  const factsBySocket = new WeakMap<object, Promise<PeerFacts>>()

  async function lookup(connection: Connection & { kind: 'tcp' | 'unix' }): Promise<PeerFacts> {
    let facts: PeerFacts = {}
    if (options.identifyPeer) {
      const peer = connection.kind === 'tcp' ? { ...connection, localPort: connection.localPort ?? options.port } : connection
      facts = await options.identifyPeer.identify(peer).catch(() => ({}))
    }
    if (connection.kind === 'tcp' && options.peerUid && facts.uid === undefined) {
      let uid: number | undefined
      try {
        uid = await options.peerUid.lookup({ address: connection.address, port: connection.port }, connection.localPort ?? options.port)
      } catch {
        uid = undefined
      }
      if (uid !== undefined) facts = { ...facts, uid }
    }
    return facts
  }

  function peerOf(connection: Connection): Promise<PeerFacts> {
    if (connection.kind === 'unknown') return Promise.resolve({})
    const known = factsBySocket.get(connection.socket)
    if (known) return known
    const pending = lookup(connection)
    factsBySocket.set(connection.socket, pending)
    // Only a definite uid is kept; "unknown" is asked again on the next request.
    void pending.then((facts) => {
      if (connection.kind === 'tcp' && options.peerUid && facts.uid === undefined && factsBySocket.get(connection.socket) === pending) factsBySocket.delete(connection.socket)
    })
    return pending
  }

  const check = async (connection: Connection, host: string | undefined, target: string | undefined): Promise<ConnectionRefusal | undefined> => {
    if (connection.kind === 'unknown') return 'unknown-transport'
    if (connection.kind === 'tcp' && !isLoopbackAddress(connection.address)) return 'non-loopback-peer'
    if (connection.kind === 'tcp' && options.peerUid) {
      const { uid } = await peerOf(connection)
      if (uid === undefined) return 'peer-uid-unknown'
      if (uid !== options.peerUid.agentUid) return 'peer-uid-mismatch'
    } else if (options.identifyPeer) {
      await peerOf(connection)
    }
    if (target !== undefined && !isOriginForm(target)) return 'target-not-origin-form'
    if (!isAllowedHost(hosts, connection.kind, host)) return 'host-not-allowed'
    return undefined
  }
  return Object.assign(check, { peerOf })
}
