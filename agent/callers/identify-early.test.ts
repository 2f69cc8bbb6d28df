import { connect, createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { PeerConnection } from './caller-program.js'
import { identifyEarly } from './identify-early.js'

const open: { close(): void }[] = []
afterEach(() => {
  for (const o of open.splice(0)) o.close()
})

describe('identifyEarly', () => {
  it('starts the lookup when the socket is accepted; the guards then get that one, not a second', async () => {
    const calls: PeerConnection[] = []
    const early = identifyEarly({ identify: async (c) => (calls.push(c), { uid: 7 }) })
    let accepted!: (s: Socket) => void
    const socket = new Promise<Socket>((r) => (accepted = r))
    const server = createServer((s) => accepted(s))
    server.on('connection', (s) => early.connected(s))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const client = connect((server.address() as { port: number }).port, '127.0.0.1')
    open.push({ close: () => (client.destroy(), server.close()) })
    const s = await socket
    // Asked before any request was read.
    expect(calls).toEqual([{ kind: 'tcp', address: '127.0.0.1', port: client.localPort, localPort: s.localPort, localAddress: '127.0.0.1', socket: s }])
    const connection = { kind: 'tcp' as const, address: '127.0.0.1', port: client.localPort!, localPort: s.localPort!, socket: s }
    await expect(early.identify(connection)).resolves.toEqual({ uid: 7 })
    expect(calls).toHaveLength(1)
    // Once taken, a later question (the guards forgot an unknown answer) asks again.
    await early.identify(connection)
    expect(calls).toHaveLength(2)
    s.destroy()
  })

  it('a failing lookup is "nothing known", never an exception', async () => {
    const early = identifyEarly({ identify: async () => Promise.reject(new Error('lsof: not found')) })
    const socket = { remoteAddress: undefined } as unknown as Socket
    early.connected(socket)
    await expect(early.identify({ kind: 'unix', socket })).resolves.toEqual({})
  })
})
