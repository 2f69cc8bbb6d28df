import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { endianness } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'

// Threat T12, LAN exposure (AutoFirma v1 bound the wildcard address, freehealth all interfaces).
// The agent runs as `ehagent start` in its own process; the kernel's socket tables say where it
// listens. A host in a separate network namespace (a veth "LAN" neighbour) trying to reach it is
// in t12-loopback-only.system.test.ts.

let agent: AgentProcess

beforeAll(async () => {
  if (process.platform !== 'linux') throw new Error('T12 test: reads /proc/net/tcp; needs Linux')
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
