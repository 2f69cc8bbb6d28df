import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'
import { run } from '../helpers/system-tools.js'
import { requireTool } from '../helpers/xmlsec.js'

// Threat T12, LAN exposure (AutoFirma v1 bound the wildcard address, freehealth all interfaces).
// The agent runs as `ehagent start` in its own process, and a host in a separate network
// namespace (a veth "LAN" neighbour) tries to reach it. Where the agent listens, read from the
// kernel's socket tables, is in t12-loopback-only.test.ts.

let agent: AgentProcess

beforeAll(async () => {
  if (process.platform !== 'linux') throw new Error('T12 test: uses network namespaces; needs Linux')
  agent = await spawnAgentProcess()
}, 60_000)

afterAll(async () => {
  await agent?.stop()
})

describe('T12: a neighbour on another network never gets an answer', () => {
  const tag = `eh${process.pid % 100000}`
  const ns = `${tag}-t12`
  const hostIf = `${tag}a`
  const nsIf = `${tag}b`
  const subnet = `10.213.${process.pid % 250}`
  const hostIp = `${subnet}.1`
  let control: Server

  beforeAll(async () => {
    requireTool('ip', 'iproute2')
    requireTool('curl', 'curl')
    if (process.getuid!() !== 0) throw new Error('T12 test: creating a network namespace needs root; CI runs the suite as root')
    cleanup()
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' })
    ip('netns', 'add', ns)
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf)
    ip('link', 'set', nsIf, 'netns', ns)
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf)
    ip('link', 'set', hostIf, 'up')
    ip('-n', ns, 'addr', 'add', `${subnet}.2/30`, 'dev', nsIf)
    ip('-n', ns, 'link', 'set', nsIf, 'up')
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    // The control: something that does listen on the host's LAN address answers the neighbour.
    control = createServer((_req, res) => res.end('control'))
    await new Promise<void>((resolve, reject) => {
      control.once('error', reject)
      control.listen(0, hostIp, () => resolve())
    })
  }, 30_000)

  afterAll(async () => {
    await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()))
    cleanup()
  })

  function cleanup(): void {
    // Deleting the namespace deletes the veth pair with it; the host end is removed explicitly in
    // case an earlier run died between the two steps.
    for (const args of [['netns', 'del', ns], ['link', 'del', hostIf]]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore' })
      } catch {
        // not there
      }
    }
  }

  const fromNeighbour = (url: string) => run('ip', ['netns', 'exec', ns, 'curl', '-q', '-sS', '--max-time', '5', '-o', '-', '-w', '\n%{http_code}', url])

  it('control: the neighbour reaches a server that listens on the host\'s LAN address', async () => {
    const port = (control.address() as { port: number }).port
    const res = await fromNeighbour(`http://${hostIp}:${port}/`)
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toBe('control\n200')
  })

  it('the neighbour connecting to the agent\'s port on the host\'s LAN address is refused by the kernel', async () => {
    for (const path of ['/health', '/rpc']) {
      const res = await fromNeighbour(`http://${hostIp}:${agent.port}${path}`)
      // curl exit 7: failed to connect (RST: nothing listens there).
      expect(res.code, `${path}: ${res.stdout} ${res.stderr}`).toBe(7)
      expect(res.stderr).toMatch(/Connection refused|Couldn't connect/i)
    }
  })

  it('the agent never saw the attempt (nothing to refuse in the privacy log) and still serves loopback', async () => {
    const local = new AgentClient({ url: agent.url, credential: agent.credential })
    const { records } = await local.call('audit.list', { limit: 100 })
    expect(records.filter((r) => r.event === 'rejected')).toEqual([])
    expect((await local.call('agent.status')).environment).toBeTruthy()
  })
  // Binding loopback is not enough on its own: with route_localnet (or a port forward to
  // 127.0.0.1) a neighbour's packets reach the loopback socket with their own, non-loopback,
  // source address. The agent must then close the connection without any answer, not even a 403.
  describe('routed to the host\'s loopback address (route_localnet on both ends of the link)', () => {
    let loopbackControl: Server

    beforeAll(async () => {
      // The host accepts, and answers, loopback-addressed packets on its end of the link.
      writeFileSync(`/proc/sys/net/ipv4/conf/${hostIf}/route_localnet`, '1')
      // The neighbour sends 127.0.0.1 to the host instead of to its own loopback: its lo loses its
      // addresses (taking 127.0.0.0/8 out of its local table) and a route points 127.0.0.1 at the host.
      const inNs = (script: string) => execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { stdio: 'pipe' })
      inNs(`echo 1 > /proc/sys/net/ipv4/conf/${nsIf}/route_localnet && echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet`)
      execFileSync('ip', ['-n', ns, 'addr', 'flush', 'dev', 'lo'], { stdio: 'pipe' })
      execFileSync('ip', ['-n', ns, 'route', 'add', '127.0.0.1/32', 'via', hostIp, 'dev', nsIf], { stdio: 'pipe' })
      loopbackControl = createServer((req, res) => res.end(`control ${req.socket.remoteAddress}`))
      await new Promise<void>((resolve, reject) => {
        loopbackControl.once('error', reject)
        loopbackControl.listen(0, '127.0.0.1', () => resolve())
      })
    })

    afterAll(async () => {
      await new Promise<void>((resolve) => (loopbackControl ? loopbackControl.close(() => resolve()) : resolve()))
    })

    it('control: the neighbour reaches a server bound to 127.0.0.1, from its own LAN address', async () => {
      const port = (loopbackControl.address() as { port: number }).port
      const res = await fromNeighbour(`http://127.0.0.1:${port}/`)
      expect(res.code, res.stderr).toBe(0)
      expect(res.stdout).toBe(`control ${subnet}.2\n200`)
    })

    it('the agent closes the connection without an answer: no status, no byte', async () => {
      for (const path of ['/health', '/rpc']) {
        const res = await fromNeighbour(`http://127.0.0.1:${agent.port}${path}`)
        // curl 52: empty reply from server; 56: connection reset while receiving. Either way no HTTP answer.
        expect([52, 56], `${path}: exit ${res.code}, ${res.stdout} ${res.stderr}`).toContain(res.code)
        expect(res.stdout).toBe('\n000')
      }
    })

    it('the refusals are in the privacy log, and the agent still serves loopback', async () => {
      const local = new AgentClient({ url: agent.url, credential: agent.credential })
      const { records } = await local.call('audit.list', { limit: 100 })
      expect(records.filter((r) => r.event === 'rejected' && r.errorCode === 'non-loopback-peer').length).toBeGreaterThanOrEqual(2)
      expect((await local.call('agent.status')).environment).toBeTruthy()
    })
  })
})
