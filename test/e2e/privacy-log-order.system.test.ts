/**
 * "Written before handed out", watched from outside the agent: strace (not the agent's code)
 * records the system calls of the real agent process while several clients sign. For every
 * envelope a client received, the write that put its record into `audit.jsonl` must have
 * returned, and been durable (the file opened O_DSYNC, or an fdatasync of it returned after the
 * write), before the first byte of the answer carrying that signature was handed to the socket.
 * The record is written while the key signs (agent/rpc/methods/soap-sign.ts) and the write is
 * one O_DSYNC write on Linux (agent/audit/durable-append.ts): this is what keeps both honest.
 * Checked that it can fail: with soap-sign.ts not waiting for the record, envelopes went out
 * 67-3479 µs before their records were durable. strace attaches to a process that is not its
 * child: root, as the system project runs, or Yama's ptrace_scope 0.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { Agent as HttpAgent, request } from 'node:http'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { requireTool } from '../helpers/xmlsec.js'

const CLIENTS = 4
const SIGNS_PER_CLIENT = 20

let agent: AgentProcess | undefined
let strace: ChildProcess | undefined
const scratch = mkdtempSync(join(tmpdir(), 'privacy-log-order-'))
afterAll(async () => {
  strace?.kill('SIGKILL')
  await agent?.stop()
  if (agent) rmSync(agent.stateDir, { recursive: true, force: true })
  if (!process.env.KEEP_STRACE) rmSync(scratch, { recursive: true, force: true })
})

/** One system call as strace reported it: when it was entered and when it returned (-ttt -T). */
interface Syscall {
  tid: number
  name: string
  /** The arguments as strace printed them (strings decoded up to -s). */
  args: string
  result: string
  enteredAt: number
  returnedAt: number
}

/**
 * strace -f -ttt -T -o lines: `TID SECONDS name(args) = result <DURATION>`, or a call split in
 * `name(args <unfinished ...>` and `<... name resumed>rest) = result <DURATION>` when another
 * thread's call came between.
 */
function parseStrace(text: string): { calls: Syscall[]; unread: string[] } {
  const calls: Syscall[] = []
  const unread: string[] = []
  const pending = new Map<number, { name: string; enteredAt: number; args: string }>()
  for (const line of text.split('\n')) {
    const head = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line)
    if (!head) continue
    const tid = Number(head[1])
    const at = Number(head[2])
    let rest = head[3]!
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest)
    let name: string
    let enteredAt: number
    if (resumed) {
      const start = pending.get(tid)
      if (!start || start.name !== resumed[1]) {
        unread.push(line)
        continue
      }
      pending.delete(tid)
      name = start.name
      enteredAt = start.enteredAt
      rest = start.args + resumed[2]!
    } else {
      const call = /^(\w+)\((.*)$/.exec(rest)
      if (!call) continue // `+++ exited`, not a call
      name = call[1]!
      enteredAt = at
      if (rest.endsWith('<unfinished ...>')) {
        pending.set(tid, { name, enteredAt: at, args: call[2]!.slice(0, -'<unfinished ...>'.length).trimEnd() })
        continue
      }
      rest = call[2]!
    }
    const tail = /\)\s+=\s+(.*?)\s+<(\d+\.\d+)>$/.exec(rest)
    if (!tail) {
      unread.push(line)
      continue
    }
    calls.push({ tid, name, args: rest.slice(0, tail.index), result: tail[1]!, enteredAt, returnedAt: enteredAt + Number(tail[2]) })
  }
  return { calls, unread }
}

function signatureIdOf(envelope: string): string {
  const id = /<(?:[A-Za-z_][\w.-]*:)?Signature\b[^>]*?\sId="([^"]+)"/.exec(envelope)?.[1]
  if (!id) throw new Error('a signed envelope without a Signature Id')
  return id
}

function call(a: AgentProcess, httpAgent: HttpAgent, method: string, params: unknown): Promise<{ result?: Record<string, unknown>; error?: unknown }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: a.port, path: '/rpc', method: 'POST', agent: httpAgent, headers: { 'content-type': 'application/json', authorization: `Bearer ${a.credential}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: Record<string, unknown>; error?: unknown }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** O_DSYNC as Linux's asm-generic/fcntl.h defines it (00010000). */
const LINUX_O_DSYNC = 0o10000

/** The descriptors `pid` holds on `audit.jsonl` now, with their O_DSYNC flag as the kernel reports it (proc(5)). */
function openLiveFiles(pid: number): { fd: number; dsync: boolean }[] {
  const found: { fd: number; dsync: boolean }[] = []
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    let target: string
    try {
      target = readlinkSync(`/proc/${pid}/fd/${name}`)
    } catch {
      continue // closed meanwhile
    }
    if (!target.endsWith('/audit/audit.jsonl')) continue
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${name}`, 'utf8'))?.[1]
    found.push({ fd: Number(name), dsync: (parseInt(flags ?? '0', 8) & LINUX_O_DSYNC) !== 0 })
  }
  return found
}

/** Attach strace to every thread of `pid`; resolves once it says it attached. */
async function attachStrace(pid: number, out: string): Promise<ChildProcess> {
  const child = spawn(
    'strace',
    ['-f', '-ttt', '-T', '-s', '1000000', '-e', 'trace=openat,close,write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,fdatasync,fsync', '-e', 'signal=none', '-o', out, '-p', String(pid)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (d: string) => (stderr += d))
  const deadline = Date.now() + 10_000
  while (!/attached/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`strace did not attach to ${pid}: ${stderr}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  // It prints one line per thread; the last ones follow the first closely.
  await new Promise((r) => setTimeout(r, 200))
  return child
}

describe('privacy log: durable before handed out, seen by strace', () => {
  it(`each of ${CLIENTS * SIGNS_PER_CLIENT} envelopes left the agent only after its record's durable write returned`, async () => {
    requireTool('strace', 'strace')
    agent = await spawnAgentProcess({ timeoutMs: 60_000 })
    const a = agent
    const out = join(scratch, 'strace.txt')
    strace = await attachStrace(a.pid, out)
    const openedBeforeAttach = openLiveFiles(a.pid)
    const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: CLIENTS })
    const login = await call(a, httpAgent, 'session.login', { profile: 'doctor' })
    expect(login.error, JSON.stringify(login.error)).toBeUndefined()
    const received: string[] = []
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, n) => {
        for (let i = 0; i < SIGNS_PER_CLIENT; i++) {
          const answer = await call(a, httpAgent, 'soap.sign', { envelope: makeEnvelope(1024 + n * 64) })
          expect(answer.error, JSON.stringify(answer.error)).toBeUndefined()
          received.push(signatureIdOf(answer.result!.envelope as string))
        }
      }),
    )
    httpAgent.destroy()
    strace.kill('SIGINT')
    await new Promise((r) => strace!.once('exit', r))
    strace = undefined

    const { calls, unread } = parseStrace(readFileSync(out, 'utf8'))
    // Every call strace reported was read: none of the answers or writes slipped past the checks.
    // (A call still running when strace detached has no end; it is not one of the answers.)
    expect(unread.filter((l) => !l.endsWith('<unfinished ...>') && !/ = \? <unavailable>$/.test(l))).toEqual([])
    // The live file's descriptors: the one open when strace attached (read from /proc: its
    // flags as the kernel holds them), and any strace saw opened later, each until its close.
    const closedAfter = (fd: number, at: number) => calls.find((c) => c.name === 'close' && c.args === String(fd) && c.enteredAt > at)?.enteredAt ?? Number.POSITIVE_INFINITY
    const liveFds = [
      ...openedBeforeAttach.map((o) => ({ fd: o.fd, dsync: o.dsync, from: 0, to: closedAfter(o.fd, 0) })),
      ...calls
        .filter((c) => c.name === 'openat' && /\/audit\/audit\.jsonl"/.test(c.args) && /^\d+$/.test(c.result))
        .map((o) => ({ fd: Number(o.result), dsync: /\bO_DSYNC\b/.test(o.args), from: o.returnedAt, to: closedAfter(Number(o.result), o.returnedAt) })),
    ]
    expect(liveFds.length, 'audit.jsonl open in the agent').toBeGreaterThan(0)
    const liveFdAt = (fd: number, at: number) => liveFds.find((l) => l.fd === fd && l.from <= at && at <= l.to)
    const fdOf = (c: Syscall) => Number(/^(\d+)\b/.exec(c.args)?.[1] ?? -1)
    const writes = new Set(['write', 'writev', 'pwrite64', 'pwritev', 'pwritev2', 'sendto', 'sendmsg'])

    /** When each signature's record became durable. */
    const durableAt = new Map<string, number>()
    /** When the first byte carrying each signature was handed to a socket. */
    const sentAt = new Map<string, number>()
    for (const c of calls) {
      if (!writes.has(c.name) || !/^\d+$/.test(c.result)) continue
      const ids = c.args.match(/SIG-[A-Za-z0-9_-]+/g) ?? []
      if (ids.length === 0) continue
      const live = liveFdAt(fdOf(c), c.enteredAt)
      if (live) {
        const synced = live.dsync ? c.returnedAt : calls.find((s) => (s.name === 'fdatasync' || s.name === 'fsync') && fdOf(s) === live.fd && s.enteredAt >= c.returnedAt && s.result === '0')?.returnedAt
        if (synced === undefined) continue
        for (const id of ids) if (!durableAt.has(id)) durableAt.set(id, synced)
      } else {
        for (const id of ids) if (!sentAt.has(id)) sentAt.set(id, c.enteredAt)
      }
    }
    expect(received).toHaveLength(CLIENTS * SIGNS_PER_CLIENT)
    const late: string[] = []
    for (const id of received) {
      const sent = sentAt.get(id)
      const durable = durableAt.get(id)
      expect(sent, `strace saw ${id} sent`).toBeDefined()
      expect(durable, `strace saw ${id}'s record made durable`).toBeDefined()
      if (durable! > sent!) late.push(`${id}: sent ${((durable! - sent!) * 1e6).toFixed(0)} µs before its record was durable`)
    }
    expect(late).toEqual([])
    // On Linux the live file is written O_DSYNC (agent/audit/durable-append.ts), as the kernel reports it.
    expect(liveFds.every((l) => l.dsync)).toBe(true)
  }, 120_000)
})
