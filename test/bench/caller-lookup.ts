/**
 * What finding the program behind a connection costs (agent/callers), for `npm run bench`:
 *
 * - the Linux identifier alone, in this process, on this machine's real /proc: one lookup per
 *   fresh loopback connection, as the agent makes it (our end's address known: read /proc/net/tcp
 *   and, only when the client is not there, /proc/net/tcp6; scan every readable /proc/<pid>/fd, read the
 *   holder's exe, cmdline and status);
 * - its effect on the agent: `agent.status` on a fresh connection each time (one lookup per call)
 *   against the same call on a kept-alive connection (the lookup made once, then cached).
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { createServer, connect, type Socket } from 'node:net'
import { readdirSync } from 'node:fs'
import { createLinuxPeerIdentifier } from '../../agent/callers/linux/identify-linux-peer.js'

export interface LookupCost {
  /** Processes in /proc when measured (the scan reads each one the agent's user may read). */
  processes: number
  lookupP50Ms: number
  lookupP99Ms: number
  freshConnectionP50Ms: number
  keptAliveP50Ms: number
}

const ROUNDS = 200

/** The lookup alone: `ROUNDS` connections from this process to a server in this process. */
export async function measureLookup(): Promise<{ processes: number; p50: number; p99: number }> {
  const identifier = createLinuxPeerIdentifier()
  const accepted: Socket[] = []
  let onAccept: ((s: Socket) => void) | undefined
  const server = createServer((s) => {
    accepted.push(s)
    onAccept?.(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const times: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const arrived = new Promise<Socket>((r) => (onAccept = r))
    const client = connect(port, '127.0.0.1')
    const socket = await arrived
    const t = performance.now()
    const facts = await identifier.identify({ kind: 'tcp', address: socket.remoteAddress!, port: socket.remotePort!, localPort: port, localAddress: socket.localAddress!, socket })
    times.push(performance.now() - t)
    if (facts.program?.pid !== process.pid) throw new Error(`the lookup found ${facts.program?.pid ?? 'nothing'}, not this process (${process.pid})`)
    client.destroy()
    socket.destroy()
  }
  server.close()
  times.sort((a, b) => a - b)
  return { processes: readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length, p50: times[Math.floor(ROUNDS / 2)]!, p99: times[Math.floor(ROUNDS * 0.99)]! }
}

/** p50 of `agent.status` with a fresh connection per call, and on one kept-alive connection. */
export async function measureConnectionCost(port: number, credential: string): Promise<{ fresh: number; keptAlive: number }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'agent.status' })
  const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 })
  const once = (agent: HttpAgent | false) =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now()
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/rpc', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume()
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`agent.status: HTTP ${res.statusCode}`))))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  const p50 = async (agent: HttpAgent | false) => {
    await once(agent)
    const times: number[] = []
    for (let i = 0; i < ROUNDS; i++) times.push(await once(agent))
    return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!
  }
  const fresh = await p50(false)
  const keptAlive = await p50(keepAlive)
  keepAlive.destroy()
  return { fresh, keptAlive }
}
