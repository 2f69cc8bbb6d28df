import { connect } from 'node:net'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, listen } from './listen.js'

// Threat T12: the agent binds loopback only, and a peer that is not loopback anyway (a port
// forward, route_localnet) gets its connection closed before a byte is read: no answer at all.
// The network-namespace test (test/security/t12-loopback-only.system.test.ts) does it with a real
// neighbour; here the address check is told to see every peer as foreign, over real loopback.

let server: Server | undefined
afterEach(async () => {
  if (server) await closeServer(server)
  server = undefined
})

/** Send a request on a raw socket; everything the server wrote before closing. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => (received += d))
    socket.on('close', () => resolve(received))
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(received) : reject(error)))
    socket.write(request)
  })
}

const GET = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'

describe('listen: a peer that is not loopback gets no answer', () => {
  it('the connection is closed before the request is read; the refusal is reported, the handler never runs', async () => {
    const handled: string[] = []
    const refused: string[] = []
    server = await listen(
      (_req, res) => {
        handled.push('request')
        res.end('hello')
      },
      { hostname: '127.0.0.1', port: 0 },
      { onForeignPeer: (peer) => refused.push(peer), isLoopbackPeer: () => false },
    )
    const port = (server.address() as AddressInfo).port
    expect(await exchange(port, GET)).toBe('')
    expect(handled).toEqual([])
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('control: a loopback peer is answered', async () => {
    server = await listen((_req, res) => res.end('hello'), { hostname: '127.0.0.1', port: 0 })
    const port = (server.address() as AddressInfo).port
    expect(await exchange(port, GET)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/)
  })
})
