import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createLinuxPeerIdentifier } from './identify-linux-peer.js'

/**
 * The Linux identifier on this machine's real /proc and `ss`: a real curl and Debian's Python
 * (apt-get install -y curl python3 iproute2) connect to a server in this process, which asks who
 * they are. The parsing is tested on recorded output beside this file; this shows that the
 * kernel's tables read as recorded.
 */

const PYTHON = '/usr/bin/python3'
for (const [tool, pkg] of [
  ['/usr/bin/curl', 'curl'],
  [PYTHON, 'python3'],
  ['/usr/bin/ss', 'iproute2'],
] as const) {
  if (!existsSync(tool) && !(tool === '/usr/bin/ss' && existsSync('/bin/ss'))) throw new Error(`${tool} is missing; install it with: apt-get install -y ${pkg}`)
}

const scratch = mkdtempSync(join(tmpdir(), 'peer-identify-'))
const children: ChildProcess[] = []
const servers: Server[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  // Unread requests keep an accepted socket open, and close() would wait for it.
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A server that resolves with the first accepted socket. */
function serve(where: { port: 0; host: string } | { path: string }): Promise<{ server: Server; accepted: Promise<Socket>; port?: number }> {
  let accept!: (s: Socket) => void
  const accepted = new Promise<Socket>((r) => (accept = r))
  const server = createServer((socket) => {
    sockets.push(socket)
    accept(socket)
  })
  servers.push(server)
  return new Promise((resolve) => {
    const ready = () => {
      const address = server.address()
      resolve({ server, accepted, ...(typeof address === 'object' && address ? { port: address.port } : {}) })
    }
    if ('path' in where) server.listen(where.path, ready)
    else server.listen(0, where.host, ready)
  })
}

const identifier = createLinuxPeerIdentifier()

describe('the program behind a real connection', () => {
  it('curl over TCP: /usr/bin/curl, its pid, this user, and no credential in the command line', async () => {
    const { accepted, port } = await serve({ port: 0, host: '127.0.0.1' })
    const child = spawn('curl', ['-q', '-s', '-H', 'Authorization: Bearer SECRETSECRETSECRETSECRET', `http://127.0.0.1:${port}/rpc`], { stdio: 'ignore' })
    children.push(child)
    const socket = await accepted
    const facts = await identifier.identify({ kind: 'tcp', address: socket.remoteAddress!, port: socket.remotePort!, localPort: socket.localPort!, socket })
    expect(facts).toEqual({
      uid: process.getuid!(),
      program: { pid: child.pid, executable: realpathSync('/usr/bin/curl'), name: 'curl', commandLine: 'curl', uid: process.getuid!(), user: userInfo().username },
    })
    expect(JSON.stringify(facts)).not.toContain('SECRET')
  })

  it('Python over TCP on IPv6 loopback: the interpreter by its real path, the script in the command line', async () => {
    const { accepted, port } = await serve({ port: 0, host: '::1' })
    const script = join(scratch, 'client.py')
    writeFileSync(script, `import socket, time\ns = socket.create_connection(("::1", ${port}))\ntime.sleep(30)\n`)
    const child = spawn(PYTHON, [script], { stdio: 'ignore' })
    children.push(child)
    const socket = await accepted
    const facts = await identifier.identify({ kind: 'tcp', address: socket.remoteAddress!, port: socket.remotePort!, localPort: socket.localPort!, socket })
    expect(facts.program).toMatchObject({ pid: child.pid, executable: realpathSync(PYTHON), commandLine: `python3 ${script}` })
  })

  it('Python over a Unix socket: our end’s inode, the peer’s from sock_diag (or ss), its holder from /proc', async () => {
    const path = join(scratch, 'agent.sock')
    const { accepted } = await serve({ path })
    const child = spawn(PYTHON, ['-c', `import socket, time\ns = socket.socket(socket.AF_UNIX)\ns.connect(${JSON.stringify(path)})\ntime.sleep(30)\n`], { stdio: 'ignore' })
    children.push(child)
    const socket = await accepted
    const facts = await identifier.identify({ kind: 'unix', socket })
    // `-c CODE`: the code is not a file name, so the summary stops at the program.
    expect(facts).toEqual({ uid: process.getuid!(), program: { pid: child.pid, executable: realpathSync(PYTHON), name: 'python3.11', commandLine: 'python3', uid: process.getuid!(), user: userInfo().username } })
    // Without the addon's answer, `ss -xnH` leads to the same program.
    await expect(createLinuxPeerIdentifier({ unixPeer: null }).identify({ kind: 'unix', socket })).resolves.toEqual(facts)
  })

  it('a connection that has gone is not guessed at', async () => {
    const { accepted, port } = await serve({ port: 0, host: '127.0.0.1' })
    const child = spawn('curl', ['-q', '-s', '--max-time', '1', `http://127.0.0.1:${port}/`], { stdio: 'ignore' })
    children.push(child)
    const socket = await accepted
    const peer = { address: socket.remoteAddress!, port: socket.remotePort!, localPort: socket.localPort! }
    socket.destroy()
    await new Promise((r) => child.once('exit', r))
    await expect(identifier.identify({ kind: 'tcp', ...peer, socket })).resolves.toEqual({})
  })
})
