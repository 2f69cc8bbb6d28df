import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { endianness, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalIpAddress } from '../../http/ip-address.js'
import { lookupClientSockets } from '../../http/peer-uid.js'
import { parseProcNetTcp } from '../../http/proc-net-tcp.js'
import { socketFd } from './identify-linux-peer.js'
import { findUnixPeerInode } from './parse-ss-unix.js'
import { requireNativeAddon } from '../../platform/native-addon.js'
import { findSockDiagAddon, kernelAnswers, loadSockDiag, loadUnixPeerLookup } from './sock-diag.js'

/**
 * The sock_diag addon (native/sock-diag.c) against views of the same sockets that we did not
 * write: the kernel's /proc/net/tcp{,6} tables, iproute2's `ss` (apt-get install iproute2) and
 * the client's own /proc/<pid>/fd. Real connections from Debian's Python, as another user when
 * this runs as root.
 */
const PYTHON = '/usr/bin/python3'
const SS = existsSync('/usr/bin/ss') ? '/usr/bin/ss' : '/bin/ss'
for (const [tool, pkg] of [[PYTHON, 'python3'], [SS, 'iproute2']] as const) if (!existsSync(tool)) throw new Error(`${tool} is missing; install it with: apt-get install -y ${pkg}`)
const lookup = loadSockDiag()
if (lookup === undefined) throw new Error('dist/native/sock-diag.node is missing or does not load: run `npm run build` (it needs a C compiler: apt-get install gcc; and Node\'s headers)')

// As root the client runs as nobody, so the uid compared is not simply ours.
const CLIENT_UID = process.getuid!() === 0 ? 65534 : process.getuid!()

const children: ChildProcess[] = []
const servers: Server[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

/**
 * A server on `host`, and a Python client connected to `target` from a socket of `family`; both
 * ends. With `sendAndClose` the client sends one byte and closes at once, as a program that does
 * not wait for the answer would.
 */
async function connection(host: string, target: string, family: 'AF_INET' | 'AF_INET6', sendAndClose = false): Promise<{ accepted: Socket; clientPort: number; serverPort: number; child: ChildProcess }> {
  let accept!: (s: Socket) => void
  const accepted = new Promise<Socket>((r) => (accept = (s) => (sockets.push(s), r(s))))
  // Half-open allowed: the agent's end stays open after the client's FIN until the test closes it.
  const server = createServer({ allowHalfOpen: true }, accept)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, host, r))
  const serverPort = (server.address() as { port: number }).port
  const then = sendAndClose ? `s.sendall(b'x')\ns.close()` : 'sys.stdin.read()'
  const script = `import socket,sys\ns=socket.socket(socket.${family})\ns.connect((sys.argv[1],int(sys.argv[2])))\nprint(s.getsockname()[1],flush=True)\n${then}`
  const child = spawn(PYTHON, ['-c', script, target, String(serverPort)], { uid: CLIENT_UID, stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  const clientPort = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
    child.once('exit', (code) => reject(new Error(`the client exited (${code}) before connecting`)))
  })
  return { accepted: await accepted, clientPort, serverPort, child }
}

/** The inode `ss` lists for the socket whose local end is `port` (its `ino:` field). */
function ssInode(port: number): number | undefined {
  const out = spawnSync(SS, ['-tneH', `sport = :${port}`], { encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`ss failed: ${out.stderr}`)
  const m = /\bino:(\d+)/.exec(out.stdout)
  return m ? Number(m[1]) : undefined
}

function tableEntry(clientPort: number, serverPort: number) {
  const entries = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((path) => parseProcNetTcp(readFileSync(path, 'utf8'), endianness()))
  return entries.find((e) => e.local.port === clientPort && e.remote.port === serverPort)
}

describe('sock_diag on real connections', () => {
  for (const [name, host, target, family] of [
    ['IPv4 on 127.0.0.1', '127.0.0.1', '127.0.0.1', 'AF_INET'],
    ['IPv6 on ::1', '::1', '::1', 'AF_INET6'],
    ['an IPv6 socket to ::ffff:127.0.0.1, on a dual-stack listener', '::', '::ffff:127.0.0.1', 'AF_INET6'],
  ] as const) {
    it(`${name}: the socket, uid and inode that /proc/net/tcp and ss list`, async () => {
      const { accepted, clientPort, serverPort } = await connection(host, target, family)
      const peer = canonicalIpAddress(accepted.remoteAddress!)!
      const local = canonicalIpAddress(accepted.localAddress!)!
      const entry = lookup({ address: peer, port: clientPort }, { address: local, port: serverPort })
      const table = tableEntry(clientPort, serverPort)
      expect(table, 'the client socket is in /proc/net/tcp{,6}').toBeDefined()
      expect(entry).toEqual(table)
      expect(entry).toMatchObject({ state: 1, uid: CLIENT_UID, local: { address: peer, port: clientPort }, remote: { address: local, port: serverPort } })
      expect(entry!.inode).toBe(ssInode(clientPort))
      // The whole lookup, as the agent makes it, answers from the kernel without a table.
      const reads: string[] = []
      const tuple = { address: accepted.remoteAddress!, port: clientPort, localAddress: accepted.localAddress!, localPort: serverPort }
      const found = await lookupClientSockets([tuple], { readProc: async (path) => (reads.push(path), readFileSync(path, 'utf8')), sockDiag: lookup })
      expect(found.get(tuple)).toEqual({ uid: CLIENT_UID, inode: entry!.inode })
      expect(reads).toEqual([])
      accepted.destroy()
    })
  }

  it('finds no client once it has closed: the kernel shows a TIME_WAIT remnant, and the lookup does not take it', async () => {
    const { accepted, clientPort, serverPort, child } = await connection('127.0.0.1', '127.0.0.1', 'AF_INET')
    const tuple = { address: accepted.remoteAddress!, port: clientPort, localAddress: accepted.localAddress!, localPort: serverPort }
    // The client closes first, then the server: the client's end goes to TIME_WAIT.
    const ended = new Promise((r) => accepted.once('end', r))
    child.stdin!.end()
    await ended
    accepted.end()
    await new Promise((r) => accepted.once('close', r))
    const remnant = lookup({ address: '127.0.0.1', port: clientPort }, { address: '127.0.0.1', port: serverPort })
    expect(remnant?.state ?? 'gone', 'TIME_WAIT (6), or already gone').toSatisfy((s: unknown) => s === 6 || s === 'gone')
    const found = await lookupClientSockets([tuple], { sockDiag: lookup })
    expect(found.get(tuple)).toBeUndefined()
  })

  it('takes a client that sent and closed before the answer neither as root nor as anyone (threat T5)', async () => {
    // The agent has not closed its end, so the kernel still lists the client's: an orphan in
    // FIN_WAIT1 (with its uid) or, once its FIN is acknowledged, a FIN_WAIT2 minisocket (uid 0),
    // with no inode either way, in the kernel's answer and in the tables alike.
    const { accepted, clientPort, serverPort } = await connection('127.0.0.1', '127.0.0.1', 'AF_INET', true)
    await new Promise((r) => accepted.once('end', r).resume())
    const closing = (entry: { state: number; inode: number } | undefined) => entry !== undefined && (entry.state === 4 || entry.state === 5) && entry.inode === 0
    expect(lookup({ address: '127.0.0.1', port: clientPort }, { address: '127.0.0.1', port: serverPort }), 'FIN_WAIT1 or 2, no inode').toSatisfy(closing)
    expect(tableEntry(clientPort, serverPort), 'FIN_WAIT1 or 2, no inode').toSatisfy(closing)
    const tuple = { address: accepted.remoteAddress!, port: clientPort, localAddress: accepted.localAddress!, localPort: serverPort }
    expect((await lookupClientSockets([tuple], { sockDiag: lookup })).get(tuple)).toBeUndefined()
    expect((await lookupClientSockets([tuple])).get(tuple)).toBeUndefined()
    accepted.destroy()
  })

  it("says this kernel answers (the doctor's check), and not for a lookup that finds nothing", async () => {
    await expect(kernelAnswers(lookup)).resolves.toBe(true)
    await expect(kernelAnswers(() => undefined)).resolves.toBe(false)
  })

  it('answers nothing for a 4-tuple no socket has, and refuses arguments that are not one', () => {
    expect(lookup({ address: '127.0.0.1', port: 1 }, { address: '127.0.0.1', port: 2 })).toBeUndefined()
    // Families that differ are not asked at all; a port out of range is the addon's type error, taken as "not found".
    expect(lookup({ address: '::1', port: 1 }, { address: '127.0.0.1', port: 2 })).toBeUndefined()
    expect(lookup({ address: '127.0.0.1', port: 70000 }, { address: '127.0.0.1', port: 2 })).toBeUndefined()
  })
})

describe('sock_diag: the peer of a Unix socket', () => {
  const unixPeer = loadUnixPeerLookup()
  if (unixPeer === undefined) throw new Error('dist/native/sock-diag.node has no unixPeer: run `npm run build`')

  /** Inodes of the sockets process `pid` holds, from its /proc/<pid>/fd links. */
  function socketInodesOf(pid: number): number[] {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      return m ? [Number(m[1])] : []
    })
  }

  it("names the Python client's own socket: the inode ss -xnH lists as peer and the client holds in /proc", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sock-diag-unix-'))
    chmodSync(dir, 0o755)
    const path = join(dir, 'agent.sock')
    let accept!: (s: Socket) => void
    const accepted = new Promise<Socket>((r) => (accept = (s) => (sockets.push(s), r(s))))
    const server = createServer(accept)
    servers.push(server)
    await new Promise<void>((r) => server.listen(path, r))
    chmodSync(path, 0o777)
    const child = spawn(PYTHON, ['-c', 'import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\nprint("ok",flush=True)\nsys.stdin.read()', path], { uid: CLIENT_UID, stdio: ['pipe', 'pipe', 'inherit'] })
    children.push(child)
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve())
      child.once('exit', (code) => reject(new Error(`the client exited (${code}) before connecting`)))
    })
    const socket = await accepted
    try {
      const own = Number(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${socketFd(socket)}`))![1])
      const peer = unixPeer(own)
      expect(peer).toBeGreaterThan(0)
      expect(peer).toBe(findUnixPeerInode(spawnSync(SS, ['-xnH'], { encoding: 'utf8' }).stdout, own))
      expect(socketInodesOf(child.pid!)).toContain(peer)
      // The listening socket has no peer; an inode no socket has gets no answer.
      const listening = Number(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${socketFd(server)}`))![1])
      expect(unixPeer(listening)).toBe(0)
      // The addon itself answers "no such socket" (ENOENT) with undefined, not with an error.
      expect((requireNativeAddon(findSockDiagAddon()) as { unixPeer(inode: number): unknown }).unixPeer(0xfffffffe)).toBeUndefined()
      expect(unixPeer(0xfffffffe)).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
