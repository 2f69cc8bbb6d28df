import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { lookupPeerUid } from './peer-uid.js'

// Captured on Linux x86_64: a node:net server on 127.0.0.1:41885 (uid 0) and curl run as uid 999
// from 127.0.0.1:47390, plus a TIME_WAIT socket (uid printed as 0, inode 0).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:A39D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 72542 1 00000000024c8650 100 0 0 10 0
   2: 0100007F:A39D 0100007F:B91E 01 00000000:00000000 00:00000000 00000000     0        0 72544 1 0000000056215c4e 20 4 30 10 -1
   3: 0100007F:9C43 0100007F:9E32 06 00000000:00000000 03:00001275 00000000     0        0 0 3 0000000073c6fbf0
   5: 0100007F:B91E 0100007F:A39D 01 00000000:00000000 02:00001765 00000000   999        0 71402 3 0000000079bd8858 20 0 0 11 -1
`
// Captured: a client on [::1]:40650 of a server on [::1]:35199, both uid 0.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   1: 00000000000000000000000001000000:897F 00000000000000000000000001000000:9ECA 01 00000000:00000000 00:00000000 00000000     0        0 69466 1 00000000193e7e20 20 0 0 10 -1
   2: 00000000000000000000000001000000:9ECA 00000000000000000000000001000000:897F 01 00000000:00000000 00:00000000 00000000     0        0 69465 2 00000000819f9f03 20 0 0 10 -1
`

function tables(tcp: string | undefined, tcp6: string | undefined): (path: string) => Promise<string> {
  return async (path) => {
    const text = path === '/proc/net/tcp' ? tcp : path === '/proc/net/tcp6' ? tcp6 : undefined
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
    return text
  }
}

describe('lookupPeerUid on captured tables', () => {
  it("finds the client socket's owner: local = the peer, remote port = ours", async () => {
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41885, tables(TCP, TCP6))).resolves.toBe(999)
  })

  it('matches an IPv4 client seen by a dual-stack listener as ::ffff:127.0.0.1', async () => {
    await expect(lookupPeerUid({ address: '::ffff:127.0.0.1', port: 47390 }, 41885, tables(TCP, TCP6))).resolves.toBe(999)
  })

  it('reads /proc/net/tcp6 for IPv6 peers, and copes with a missing table', async () => {
    await expect(lookupPeerUid({ address: '::1', port: 40650 }, 35199, tables(TCP, TCP6))).resolves.toBe(0)
    await expect(lookupPeerUid({ address: '::1', port: 40650 }, 35199, tables(undefined, TCP6))).resolves.toBe(0)
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41885, tables(TCP, undefined))).resolves.toBe(999)
  })

  it("never answers with the agent's own end of the connection, nor for an unknown peer", async () => {
    // Entry 2 (uid 0) has the peer as its *remote* address: a lookup that matched on that would
    // say root. Only entry 5, where the peer is the local address, may answer.
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41885, tables(TCP, TCP6))).resolves.not.toBe(0)
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41886, tables(TCP, TCP6))).resolves.toBeUndefined()
    await expect(lookupPeerUid({ address: '127.0.0.2', port: 47390 }, 41885, tables(TCP, TCP6))).resolves.toBeUndefined()
  })

  it('ignores TIME_WAIT sockets, whose uid is printed as 0', async () => {
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 0x9c43 }, 0x9e32, tables(TCP, TCP6))).resolves.toBeUndefined()
  })

  it('answers undefined when sockets of different users match (reused ephemeral port)', async () => {
    const twin = '   7: 0100007F:B91E 0100007F:A39D 01 00000000:00000000 00:00000000 00000000  1000        0 71999 1 0000000000000000 20 0 0 10 -1\n'
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41885, tables(TCP + twin, TCP6))).resolves.toBeUndefined()
    const sameUser = twin.replace('  1000 ', '   999 ')
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41885, tables(TCP + sameUser, TCP6))).resolves.toBe(999)
  })

  it('answers undefined with no tables or an address that is not one', async () => {
    await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41885, tables(undefined, undefined))).resolves.toBeUndefined()
    await expect(lookupPeerUid({ address: 'localhost', port: 47390 }, 41885, tables(TCP, TCP6))).resolves.toBeUndefined()
  })
})

describe('lookupPeerUid on a real loopback connection', () => {
  let server: Server | undefined
  let client: Socket | undefined
  afterEach(async () => {
    client?.destroy()
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  })

  it('finds our own uid for a node:net client of a node:net server on 127.0.0.1', async () => {
    expect(process.platform, 'lookupPeerUid reads /proc/net/tcp: this test needs Linux').toBe('linux')
    const accepted = new Promise<Socket>((resolve) => {
      server = createServer(resolve)
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const port = (server!.address() as { port: number }).port
    client = connect(port, '127.0.0.1')
    const [socket, clientPort] = await Promise.all([accepted, new Promise<number>((r) => client!.once('connect', () => r(client!.localPort!)))])
    expect(socket.remotePort).toBe(clientPort)
    const uid = await lookupPeerUid({ address: socket.remoteAddress!, port: socket.remotePort! }, socket.localPort!)
    expect(uid).toBe(process.getuid!())
    socket.destroy()
  })
})
