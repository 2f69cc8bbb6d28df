import { describe, expect, it } from 'vitest'
import { expectAddonBuiltAndFound } from '../../../test/helpers/native-addon-found.js'
import { findSockDiagAddon, loadSockDiag, sockDiagFrom, unixPeerLookupFrom } from './sock-diag.js'

// What the addon's lookup answered on Linux 6.18 x86_64 (native/sock-diag.c), for: a client on
// ::1; a Node client's IPv6 socket connected to ::ffff:127.0.0.1, asked for by its IPv4 4-tuple;
// a client that had closed (its TIME_WAIT remnant).
const RECORDED = {
  v6: { family: 6, state: 1, localAddress: '::1', localPort: 59718, remoteAddress: '::1', remotePort: 33501, uid: 0, inode: 4122130 },
  mapped: { family: 6, state: 1, localAddress: '::ffff:127.0.0.1', localPort: 48420, remoteAddress: '::ffff:127.0.0.1', remotePort: 33501, uid: 0, inode: 4122133 },
  remnant: { family: 4, state: 6, localAddress: '127.0.0.1', localPort: 48422, remoteAddress: '127.0.0.1', remotePort: 33501, uid: 0, inode: 0 },
}

/** A lookup on an addon answering `answer` (or throwing `error`), recording its arguments. */
function fromAddon(answer: object | undefined, error?: Error) {
  const asked: unknown[][] = []
  const lookup = sockDiagFrom({
    lookup: (...args: unknown[]) => {
      asked.push(args)
      if (error) throw error
      return answer
    },
  })!
  return { lookup, asked }
}

describe('sockDiagFrom: the addon as a table entry', () => {
  it('asks IPv4 tuples as family 4 and IPv6 ones as 6, and gives the answer canonical addresses', () => {
    const mapped = fromAddon(RECORDED.mapped)
    expect(mapped.lookup({ address: '127.0.0.1', port: 48420 }, { address: '127.0.0.1', port: 33501 })).toEqual({
      local: { address: '127.0.0.1', port: 48420 },
      remote: { address: '127.0.0.1', port: 33501 },
      state: 1,
      uid: 0,
      inode: 4122133,
    })
    expect(mapped.asked).toEqual([[4, '127.0.0.1', 48420, '127.0.0.1', 33501]])
    const v6 = fromAddon(RECORDED.v6)
    expect(v6.lookup({ address: '::1', port: 59718 }, { address: '::1', port: 33501 })).toMatchObject({ local: { address: '::1', port: 59718 }, inode: 4122130 })
    expect(v6.asked).toEqual([[6, '::1', 59718, '::1', 33501]])
  })

  it('passes a remnant on as it is (the caller refuses it: no inode)', () => {
    expect(fromAddon(RECORDED.remnant).lookup({ address: '127.0.0.1', port: 48422 }, { address: '127.0.0.1', port: 33501 })).toMatchObject({ state: 6, uid: 0, inode: 0 })
  })

  it('answers undefined for no socket, a failed lookup, mixed families or an address it cannot read', () => {
    const tuple = [{ address: '127.0.0.1', port: 1 }, { address: '127.0.0.1', port: 2 }] as const
    expect(fromAddon(undefined).lookup(...tuple)).toBeUndefined()
    expect(fromAddon(undefined, new Error('sock_diag lookup: Operation not supported')).lookup(...tuple)).toBeUndefined()
    const mixed = fromAddon(RECORDED.v6)
    expect(mixed.lookup({ address: '::1', port: 1 }, { address: '127.0.0.1', port: 2 })).toBeUndefined()
    expect(mixed.asked).toEqual([])
    expect(fromAddon({ ...RECORDED.v6, localAddress: 'garbage' }).lookup({ address: '::1', port: 1 }, { address: '::1', port: 2 })).toBeUndefined()
  })

  it('is no lookup at all without an addon exporting one', () => {
    expect(sockDiagFrom(undefined)).toBeUndefined()
    expect(sockDiagFrom({ trim: () => true })).toBeUndefined()
  })
})

describe('the sock_diag addon file', () => {
  it('is built by npm run build and found from the sources, tsc output and the bundle alike', () => {
    expectAddonBuiltAndFound(findSockDiagAddon, 'sock-diag.node', ['agent', 'callers', 'linux'])
    expect(process.platform, 'the addon is Linux only: this test needs Linux').toBe('linux')
    expect(typeof loadSockDiag()).toBe('function')
  })
})

describe('unixPeerLookupFrom: the addon as a Unix socket peer', () => {
  // What unixPeer answered on Linux 6.18 x86_64 for the agent's end of a connection from Python
  // (`ss -xnH` listed the same pair), and for a listening socket, which has no peer.
  const connected = { inode: 4782492, peer: 4782491 }
  const listening = { inode: 4790160, peer: 0 }

  it("gives the peer's inode, 0 for a socket without a peer, and nothing when the kernel knows no such socket", () => {
    const answers = new Map<number, object | undefined>([
      [4782492, connected],
      [4790160, listening],
    ])
    const lookup = unixPeerLookupFrom({ unixPeer: (inode: number) => answers.get(inode) })!
    expect(lookup(4782492)).toBe(4782491)
    expect(lookup(4790160)).toBe(0)
    expect(lookup(12345)).toBeUndefined()
  })

  it('takes no answer about another socket, a malformed answer or a thrown error for one', () => {
    expect(unixPeerLookupFrom({ unixPeer: () => connected })!(4790160)).toBeUndefined()
    expect(unixPeerLookupFrom({ unixPeer: () => ({ inode: 4782492, peer: -1 }) })!(4782492)).toBeUndefined()
    expect(unixPeerLookupFrom({ unixPeer: () => ({ inode: 4782492, peer: 1.5 }) })!(4782492)).toBeUndefined()
    expect(
      unixPeerLookupFrom({
        unixPeer: () => {
          throw new Error('sock_diag unix lookup: Invalid argument')
        },
      })!(4782492),
    ).toBeUndefined()
  })

  it('is no lookup without the function (an addon built before it)', () => {
    expect(unixPeerLookupFrom({ lookup: () => undefined })).toBeUndefined()
    expect(unixPeerLookupFrom(undefined)).toBeUndefined()
  })
})
