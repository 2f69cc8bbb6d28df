import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { endianness } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'
import { run } from '../helpers/system-tools.js'
import { requireTool } from '../helpers/xmlsec.js'

// Threat T12, LAN exposure (AutoFirma v1 bound the wildcard address, freehealth all interfaces).
// The agent runs as `ehagent start` in its own process; the kernel's socket tables say where it
// listens, and a host in a separate network namespace (a veth "LAN" neighbour) tries to reach it.

let agent: AgentProcess

beforeAll(async () => {
  if (process.platform !== 'linux') throw new Error('T12 test: reads /proc/net/tcp and uses network namespaces; needs Linux')
  agent = await spawnAgentProcess()
}, 60_000)

afterAll(async () => {
  await agent?.stop()
})

interface Listener {
  address: string
  port: number
  inode: number
}

/** LISTEN sockets of /proc/net/tcp{,6}, decoded here independently of agent/http/proc-net-tcp.ts. */
function listeners(): Listener[] {
  const out: Listener[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10 || f[3] !== '0A') continue
      const [hexAddr, hexPort] = f[1]!.split(':') as [string, string]
      out.push({ address: decodeAddress(hexAddr), port: parseInt(hexPort, 16), inode: Number(f[9]) })
    }
  }
  return out
}

/** Each 32-bit word is printed from host memory: reverse its bytes on a little-endian host. */
function decodeAddress(hex: string): string {
  const bytes: number[] = []
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8).match(/../g)!.map((b) => parseInt(b, 16))
    bytes.push(...(endianness() === 'LE' ? word.reverse() : word))
  }
  if (bytes.length === 4) return bytes.join('.')
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16))
  const full = groups.join(':')
  if (full === '0:0:0:0:0:0:0:0') return '::'
  if (full === '0:0:0:0:0:0:0:1') return '::1'
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(full)
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16)
    const lo = parseInt(mapped[2]!, 16)
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  }
  return full
}

const LOOPBACK = new Set(['127.0.0.1', '::1'])

describe('T12: the agent listens on loopback only', () => {
  it('every LISTEN socket on the agent\'s port is 127.0.0.1 or ::1, never 0.0.0.0 or ::', () => {
    const mine = listeners().filter((l) => l.port === agent.port)
    expect(mine.map((l) => l.address)).toContain('127.0.0.1')
    for (const l of mine) expect(LOOPBACK.has(l.address), `listening on ${l.address}:${l.port}`).toBe(true)
    // The agent asks for ::1 too; where the kernel has IPv6 on lo, it must be there (and only there).
    const ipv6Loopback = readFileSync('/proc/net/if_inet6', 'utf8').includes('00000000000000000000000000000001')
    if (ipv6Loopback) expect(mine.map((l) => l.address).sort()).toEqual(['127.0.0.1', '::1'])
  })

  it('so is every other listening socket of the agent process and of its sandbox child', () => {
    const pids = [agent.pid, ...childrenOf(agent.pid)]
    // `ehagent start --env sandbox` runs `ehagent sandbox` as its child.
    expect(pids.length).toBeGreaterThanOrEqual(2)
    const inodes = new Set<number>()
    for (const pid of pids) {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
          if (m) inodes.add(Number(m[1]))
        } catch {
          // closed meanwhile
        }
      }
    }
    const held = listeners().filter((l) => inodes.has(l.inode))
    // The agent's port (IPv4, maybe IPv6) and the sandbox's port, at least.
    expect(held.length).toBeGreaterThanOrEqual(2)
    expect(held.some((l) => l.port !== agent.port), 'the sandbox child listens too').toBe(true)
    for (const l of held) expect(LOOPBACK.has(l.address), `listens on ${l.address}:${l.port}`).toBe(true)
  })
})

/** The processes whose parent is `pid` (field 4 of /proc/<pid>/stat, after the parenthesised name). */
function childrenOf(pid: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

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
