import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A stand-in for systray2's tray helper (the Go program that draws the icon), so the tray can be
 * tested with no display. The helper that systray2 spawns is a tiny relay: its stdin goes to a
 * Unix socket, the socket's lines go to its stdout. The test holds the other end and plays the
 * helper's part of the JSON-lines protocol (read from node_modules/systray2/index.js and the
 * helper's source, systray-portable's tray.go):
 *
 *   helper → `{"type":"ready"}`
 *   agent  → the menu: `{"icon","title","tooltip","items":[{"title","tooltip","checked","enabled","hidden","items","__id"}…]}`
 *   helper → `{"type":"clicked","item":{…},"seq_id":N,"__id":N}` per click
 *   agent  → `{"type":"update-item","item":{…,"__id":N},"seq_id":-1}`, `{"type":"update-menu","menu":{…}}`, `{"type":"exit"}`
 *
 * Two lines the relay does not pass on: `#stderr TEXT` (written to its stderr) and `#exit N`.
 */
export interface FakeTrayHost {
  /** The helper program to give the tray (`helperPath`). */
  helperPath: string
  /** The next helper process that connects. */
  connection(timeoutMs?: number): Promise<FakeTrayConnection>
  close(): Promise<void>
}

export interface FakeTrayMessage {
  type?: string
  [key: string]: unknown
}

export interface FakeTrayItem {
  title: string
  tooltip: string
  enabled: boolean
  checked: boolean
  hidden?: boolean
  items?: FakeTrayItem[]
  __id: number
}

export interface FakeTrayMenu {
  icon: string
  title: string
  tooltip: string
  items: FakeTrayItem[]
}

export class FakeTrayConnection {
  /** Every line the agent wrote to the helper, parsed. */
  readonly received: FakeTrayMessage[] = []
  readonly closed: Promise<void>
  private readonly socket: Socket
  private buffer = ''
  private waiters: { test: (m: FakeTrayMessage) => boolean; resolve: (m: FakeTrayMessage) => void; from: number }[] = []

  constructor(socket: Socket) {
    this.socket = socket
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.buffer += chunk
      let nl: number
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl)
        this.buffer = this.buffer.slice(nl + 1)
        if (line.trim() === '') continue
        this.received.push(JSON.parse(line) as FakeTrayMessage)
        this.wake()
      }
    })
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()))
  }

  /** Write a line to the agent as the helper's stdout. */
  send(message: object): void {
    this.socket.write(JSON.stringify(message) + '\n')
  }

  ready(): void {
    this.send({ type: 'ready' })
  }

  /** The first message received (after `from`) that passes `test`. */
  waitFor(test: (m: FakeTrayMessage) => boolean, timeoutMs = 10_000, from = 0): Promise<FakeTrayMessage> {
    const found = this.received.slice(from).find(test)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (m: FakeTrayMessage) => (clearTimeout(timer), resolve(m)), from }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        reject(new Error(`the tray helper did not receive the expected message within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(from).map((m) => m.type ?? 'menu'))}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** The menu the agent sent after `ready`. */
  async menu(): Promise<FakeTrayMenu> {
    return (await this.waitFor((m) => m.type === undefined && Array.isArray(m.items))) as unknown as FakeTrayMenu
  }

  /** Click an item, as the helper reports it. */
  click(item: FakeTrayItem): void {
    this.send({ type: 'clicked', item: { title: item.title, tooltip: item.tooltip, enabled: item.enabled, checked: item.checked }, seq_id: item.__id, __id: item.__id })
  }

  stderr(text: string): void {
    this.socket.write(`#stderr ${text}\n`)
  }

  exit(code: number): void {
    this.socket.write(`#exit ${code}\n`)
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      const found = this.received.slice(waiter.from).find(waiter.test)
      if (found) {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        waiter.resolve(found)
      }
    }
  }
}

/** Find an item of a menu by its title, submenus included. */
export function findItem(items: FakeTrayItem[], title: string | RegExp): FakeTrayItem {
  for (const item of items) {
    if (typeof title === 'string' ? item.title === title : title.test(item.title)) return item
    if (item.items) {
      try {
        return findItem(item.items, title)
      } catch {
        // not in this submenu
      }
    }
  }
  throw new Error(`no tray item ${String(title)} in ${JSON.stringify(items.map((i) => i.title))}`)
}

export async function startFakeTrayHost(options: { executable?: boolean } = {}): Promise<FakeTrayHost> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-tray-'))
  const socketPath = join(dir, 'host.sock')
  const helperPath = join(dir, 'tray_fake_helper')
  writeFileSync(
    helperPath,
    `#!${process.execPath}
'use strict'
const net = require('node:net')
const socket = net.createConnection(${JSON.stringify(socketPath)})
let buffer = ''
socket.setEncoding('utf8')
socket.on('data', (chunk) => {
  buffer += chunk
  let nl
  while ((nl = buffer.indexOf('\\n')) >= 0) {
    const line = buffer.slice(0, nl)
    buffer = buffer.slice(nl + 1)
    if (line.startsWith('#stderr ')) process.stderr.write(line.slice(8) + '\\n')
    else if (line.startsWith('#exit ')) process.exit(Number(line.slice(6)))
    else process.stdout.write(line + '\\n')
  }
})
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(70))
process.stdin.on('data', (d) => socket.write(d))
process.stdin.on('end', () => socket.end())
`,
  )
  chmodSync(helperPath, options.executable === false ? 0o644 : 0o755)
  const pending: Socket[] = []
  const all = new Set<Socket>()
  const waiting: ((s: Socket) => void)[] = []
  const server: Server = createServer((socket) => {
    all.add(socket)
    socket.on('close', () => all.delete(socket))
    const take = waiting.shift()
    if (take) take(socket)
    else pending.push(socket)
  })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  return {
    helperPath,
    connection(timeoutMs = 10_000) {
      const ready = pending.shift()
      if (ready) return Promise.resolve(new FakeTrayConnection(ready))
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no tray helper connected within ${timeoutMs} ms`)), timeoutMs)
        waiting.push((socket) => {
          clearTimeout(timer)
          resolve(new FakeTrayConnection(socket))
        })
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        // A helper a failed test left running: cut it off (the relay exits when its socket closes).
        for (const socket of all) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
