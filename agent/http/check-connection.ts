import type { GuardOptions } from './api-guard.js'
import { createHostAllowlist, isAllowedHost } from './host-allowlist.js'
import { isLoopbackAddress } from './ip-address.js'
import type { Connection } from './read-connection.js'
import { isOriginForm } from './read-request-target.js'

/** Why a connection is refused before its request is looked at. */
export type ConnectionRefusal = 'unknown-transport' | 'non-loopback-peer' | 'peer-uid-unknown' | 'peer-uid-mismatch' | 'target-not-origin-form' | 'host-not-allowed'

/**
 * The checks every route shares, API and pages alike: a known transport, a loopback peer (T12,
 * beyond binding 127.0.0.1), the peer's uid on Linux (T5: every user of a terminal server shares
 * loopback; the Unix socket is 0600 in a 0700 directory, so the kernel already limits it), a
 * request target in origin-form and an exact Host (T2, DNS rebinding: a target in absolute form
 * names its own host, which would take the place of Host, RFC 9112 §3.2.2). The uid is looked up
 * once per socket. `target` is the raw request target; undefined for a request built in-process.
 */
export function createConnectionCheck(
  options: Pick<GuardOptions, 'port' | 'peerUid'>,
): (connection: Connection, host: string | undefined, target: string | undefined) => Promise<ConnectionRefusal | undefined> {
  const hosts = createHostAllowlist(options.port)
  const uidBySocket = new WeakMap<object, number>()

  async function peerUidOf(connection: Connection & { kind: 'tcp' }): Promise<number | undefined> {
    const known = uidBySocket.get(connection.socket)
    if (known !== undefined) return known
    let uid: number | undefined
    try {
      uid = await options.peerUid!.lookup({ address: connection.address, port: connection.port }, connection.localPort ?? options.port)
    } catch {
      uid = undefined
    }
    // Only a definite answer is kept; "unknown" is asked again on the next request.
    if (uid !== undefined) uidBySocket.set(connection.socket, uid)
    return uid
  }

  return async (connection, host, target) => {
    if (connection.kind === 'unknown') return 'unknown-transport'
    if (connection.kind === 'tcp' && !isLoopbackAddress(connection.address)) return 'non-loopback-peer'
    if (connection.kind === 'tcp' && options.peerUid) {
      const uid = await peerUidOf(connection)
      if (uid === undefined) return 'peer-uid-unknown'
      if (uid !== options.peerUid.agentUid) return 'peer-uid-mismatch'
    }
    if (target !== undefined && !isOriginForm(target)) return 'target-not-origin-form'
    if (!isAllowedHost(hosts, connection.kind, host)) return 'host-not-allowed'
    return undefined
  }
}
