import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { lookupClientSockets, lookupPeerUid, type FourTuple, type SockDiagLookup } from './peer-uid.js'
import type { ProcNetTcpEntry } from './proc-net-tcp.js'

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

/** One connection looked up by its 4-tuple. */
async function byTuple(peer: { address: string; port: number }, localPort: number, read: ((path: string) => Promise<string>) | undefined, localAddress: string) {
  const tuple: FourTuple = { ...peer, localAddress, localPort }
  return (await lookupClientSockets([tuple], { readProc: read })).get(tuple)
}

describe('lookupClientSockets: our end known too (the whole 4-tuple)', () => {
  /** The tables, counting which were read. */
  function counted(tcp: string | undefined, tcp6: string | undefined): { read: (path: string) => Promise<string>; reads: string[] } {
    const reads: string[] = []
    const inner = tables(tcp, tcp6)
    return { reads, read: (path) => (reads.push(path), inner(path)) }
  }

  it('answers from /proc/net/tcp alone for an IPv4 client, with its socket inode', async () => {
    const t = counted(TCP, TCP6)
    await expect(byTuple({ address: '127.0.0.1', port: 47390 }, 41885, t.read, '127.0.0.1')).resolves.toEqual({ uid: 999, inode: 71402 })
    expect(t.reads).toEqual(['/proc/net/tcp'])
    const mapped = counted(TCP, TCP6)
    await expect(byTuple({ address: '::ffff:127.0.0.1', port: 47390 }, 41885, mapped.read, '::ffff:127.0.0.1')).resolves.toEqual({ uid: 999, inode: 71402 })
    expect(mapped.reads).toEqual(['/proc/net/tcp'])
  })

  it('reads /proc/net/tcp6 first for an IPv6 client, and the other table when the first has no match', async () => {
    const t = counted(TCP, TCP6)
    await expect(byTuple({ address: '::1', port: 40650 }, 35199, t.read, '::1')).resolves.toEqual({ uid: 0, inode: 69465 })
    expect(t.reads).toEqual(['/proc/net/tcp6'])
    // An IPv4 client of a dual-stack listener listed in tcp6 as ::ffff:127.0.0.1.
    const v6Listed = TCP6.replace(/00000000000000000000000001000000:9ECA 00000000000000000000000001000000:897F/, '0000000000000000FFFF00000100007F:B91E 0000000000000000FFFF00000100007F:A39D')
    const both = counted(TCP.split('\n').filter((l) => !l.includes(':B91E 0100007F:A39D')).join('\n'), v6Listed)
    await expect(byTuple({ address: '127.0.0.1', port: 47390 }, 41885, both.read, '127.0.0.1')).resolves.toEqual({ uid: 0, inode: 69465 })
    expect(both.reads).toEqual(['/proc/net/tcp', '/proc/net/tcp6'])
  })

  it('takes the socket connected to our address, not one of another user to another server on the same port', async () => {
    // Same client port, same server port, but connected to 127.0.0.2: not our connection. Without
    // our address both match and the answer is "not known"; with it, the right one is chosen.
    const other = '   7: 0100007F:B91E 0200007F:A39D 01 00000000:00000000 00:00000000 00000000  1000        0 71999 1 0000000000000000 20 0 0 10 -1\n'
    await expect(byTuple({ address: '127.0.0.1', port: 47390 }, 41885, tables(other + TCP, TCP6), '127.0.0.1')).resolves.toEqual({ uid: 999, inode: 71402 })
    await expect(byTuple({ address: '127.0.0.1', port: 47390 }, 41885, tables(other, TCP6), '127.0.0.1')).resolves.toBeUndefined()
  })

  it('answers several connections from one read of each table', async () => {
    const reads: string[] = []
    const read = (path: string) => (reads.push(path), tables(TCP, TCP6)(path))
    const curl: FourTuple = { address: '127.0.0.1', port: 47390, localAddress: '127.0.0.1', localPort: 41885 }
    const v6: FourTuple = { address: '::1', port: 40650, localAddress: '::1', localPort: 35199 }
    const gone: FourTuple = { address: '127.0.0.1', port: 40000, localAddress: '127.0.0.1', localPort: 41885 }
    const found = await lookupClientSockets([curl, v6, gone], { readProc: read })
    expect([found.get(curl), found.get(v6), found.get(gone)]).toEqual([{ uid: 999, inode: 71402 }, { uid: 0, inode: 69465 }, undefined])
    expect(reads).toEqual(['/proc/net/tcp', '/proc/net/tcp6'])
  })

  it('still ignores TIME_WAIT sockets, and answers undefined with no tables', async () => {
    await expect(byTuple({ address: '127.0.0.1', port: 0x9c43 }, 0x9e32, tables(TCP, TCP6), '127.0.0.1')).resolves.toBeUndefined()
    await expect(byTuple({ address: '127.0.0.1', port: 47390 }, 41885, tables(undefined, undefined), '127.0.0.1')).resolves.toBeUndefined()
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
    const found = await byTuple({ address: socket.remoteAddress!, port: socket.remotePort! }, socket.localPort!, undefined, socket.localAddress!)
    expect(found?.uid).toBe(process.getuid!())
    expect(found?.inode).toBeGreaterThan(0)
    socket.destroy()
  })
})

describe('remnants of closed connections are no client (threat T5)', () => {
  // A client that sent its request and closed before the agent answered: the kernel keeps its end
  // as a TIME_WAIT minisocket in substate FIN_WAIT2 (state 05), with uid 0 and no inode; a request
  // socket (SYN_RECV, 03) shows the listener's uid and no inode (net/ipv4/tcp_ipv4.c,
  // get_timewait4_sock and get_openreq4). Lines shaped as captured on Linux 6.18.
  const finWait2 = '   5: 0100007F:B91E 0100007F:A39D 05 00000000:00000000 03:00000F8C 00000000     0        0 0 3 0000000079bd8858\n'
  const synRecv = '   5: 0100007F:B91E 0100007F:A39D 03 00000000:00000000 01:00000064 00000000   999        0 0 1 0000000079bd8858\n'
  const withoutCurl = TCP.split('\n').filter((l) => !l.includes(':B91E 0100007F:A39D')).join('\n')

  it('takes neither a FIN_WAIT2 remnant as root, nor a request socket as the listener, in the tables', async () => {
    for (const remnant of [finWait2, synRecv]) {
      await expect(byTuple({ address: '127.0.0.1', port: 47390 }, 41885, tables(withoutCurl + remnant, TCP6), '127.0.0.1')).resolves.toBeUndefined()
      await expect(lookupPeerUid({ address: '127.0.0.1', port: 47390 }, 41885, tables(withoutCurl + remnant, TCP6))).resolves.toBeUndefined()
    }
  })
})

describe("lookupClientSockets with the kernel's exact lookup (sock_diag)", () => {
  /** curl's socket as both the table and the kernel show it. */
  const CURL: ProcNetTcpEntry = { local: { address: '127.0.0.1', port: 47390 }, remote: { address: '127.0.0.1', port: 41885 }, state: 1, uid: 999, inode: 71402 }
  /** A kernel lookup answering `entry`, recording what it was asked. */
  function kernel(entry: ProcNetTcpEntry | undefined): { lookup: SockDiagLookup; asked: unknown[] } {
    const asked: unknown[] = []
    return { asked, lookup: (local, remote) => (asked.push([local, remote]), entry) }
  }
  const curl: FourTuple = { address: '127.0.0.1', port: 47390, localAddress: '127.0.0.1', localPort: 41885 }
  const counted = () => {
    const reads: string[] = []
    return { reads, readProc: (path: string) => (reads.push(path), tables(TCP, TCP6)(path)) }
  }

  it('answers from the kernel alone when it finds the client socket, and reads no table', async () => {
    const k = kernel(CURL)
    const t = counted()
    let misses = 0
    const found = await lookupClientSockets([curl], { ...t, sockDiag: k.lookup, onKernelMiss: () => misses++ })
    expect(found.get(curl)).toEqual({ uid: 999, inode: 71402 })
    expect(k.asked).toEqual([[{ address: '127.0.0.1', port: 47390 }, { address: '127.0.0.1', port: 41885 }]])
    expect(t.reads).toEqual([])
    expect(misses).toBe(0)
  })

  it('asks with canonical addresses: an IPv4 client of a dual-stack listener by its IPv4 tuple', async () => {
    const k = kernel(CURL)
    const tuple: FourTuple = { address: '::ffff:127.0.0.1', port: 47390, localAddress: '::ffff:127.0.0.1', localPort: 41885 }
    expect((await lookupClientSockets([tuple], { readProc: tables(undefined, undefined), sockDiag: k.lookup })).get(tuple)).toEqual({ uid: 999, inode: 71402 })
    expect(k.asked).toEqual([[{ address: '127.0.0.1', port: 47390 }, { address: '127.0.0.1', port: 41885 }]])
  })

  it('never takes a listener, a remnant or another tuple for the client; the tables decide then', async () => {
    const answers: ProcNetTcpEntry[] = [
      // The kernel falls back to a listener on the asked local end.
      { local: { address: '127.0.0.1', port: 47390 }, remote: { address: '0.0.0.0', port: 0 }, state: 10, uid: 0, inode: 72542 },
      // A TIME_WAIT minisocket, as TIME_WAIT or as its FIN_WAIT2 substate, uid 0 and no inode.
      { ...CURL, state: 6, uid: 0, inode: 0 },
      { ...CURL, state: 5, uid: 0, inode: 0 },
      // Connected to another server on the same port, or from another port.
      { ...CURL, remote: { address: '127.0.0.2', port: 41885 }, uid: 1000, inode: 71999 },
      { ...CURL, local: { address: '127.0.0.1', port: 47391 }, uid: 1000, inode: 71999 },
    ]
    for (const answer of answers) {
      const t = counted()
      let misses = 0
      const found = await lookupClientSockets([curl], { ...t, sockDiag: kernel(answer).lookup, onKernelMiss: () => misses++ })
      // The table's answer, curl as uid 999: not root's (the remnant's uid) nor uid 1000's.
      expect(found.get(curl), JSON.stringify(answer)).toEqual({ uid: 999, inode: 71402 })
      expect(t.reads).toEqual(['/proc/net/tcp'])
      expect(misses, 'the tables found what the kernel did not').toBe(1)
    }
    // A remnant and no table line for the client: not found at all, never root's.
    const noClient = TCP.split('\n').filter((l) => !l.includes(':B91E 0100007F:A39D')).join('\n')
    expect((await lookupClientSockets([curl], { readProc: tables(noClient, TCP6), sockDiag: kernel({ ...CURL, state: 5, uid: 0, inode: 0 }).lookup })).get(curl)).toBeUndefined()
  })

  it('reads the tables when the kernel knows nothing, and reports the miss only when they list the socket', async () => {
    let misses = 0
    const k = kernel(undefined)
    expect((await lookupClientSockets([curl], { readProc: tables(TCP, TCP6), sockDiag: k.lookup, onKernelMiss: () => misses++ })).get(curl)).toEqual({ uid: 999, inode: 71402 })
    expect(misses).toBe(1)
    const gone: FourTuple = { ...curl, port: 40000 }
    expect((await lookupClientSockets([gone], { readProc: tables(TCP, TCP6), sockDiag: k.lookup, onKernelMiss: () => misses++ })).get(gone)).toBeUndefined()
    expect(misses).toBe(1)
  })
})
