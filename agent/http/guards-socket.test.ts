import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { close, errorOf, JSON_HEADERS, listenOnLoopback, listenOnUnixSocket, MAX_BODY, RPC, startGuarded, type Guarded } from '../../test/helpers/guarded-server.js'
import { send } from '../../test/helpers/http-send.js'

// The guards through real sockets, driven by node:http: a DNS-rebinding request (T2), the
// listener's address (T12), the Unix socket, a streamed over-large body (T18). curl and another
// Linux user on the same loopback (T5) are in guards-socket.system.test.ts.

describe('guards on a real loopback listener', () => {
  let g: Guarded

  beforeAll(async () => {
    g = await startGuarded(listenOnLoopback, true)
  })
  afterAll(() => close(g?.server))

  it('T12: the listener is bound to 127.0.0.1 only, not a wildcard address', () => {
    const address = g.server.address() as AddressInfo
    expect(address.address).toBe('127.0.0.1')
    expect(address.family).toBe('IPv4')
  })

  it('answers a correct request (peer uid found for real and equal to ours)', async () => {
    const res = await send({ port: g.port }, 'POST', '/rpc', { host: `127.0.0.1:${g.port}`, ...JSON_HEADERS }, [RPC])
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', result: 'ok', id: 1 })
    expect(g.uids.at(-1)).toBe(process.getuid!())
    const health = await send({ port: g.port }, 'GET', '/health', { host: `localhost:${g.port}` })
    expect(health.status).toBe(200)
  })

  it('T2: a DNS-rebinding request (Host: evil.test:<port> sent to 127.0.0.1) is refused with 421', async () => {
    const before = g.handled.length
    const res = await send({ port: g.port }, 'POST', '/rpc', { host: `evil.test:${g.port}`, ...JSON_HEADERS }, [RPC])
    expect(res.status).toBe(421)
    expect(errorOf(res.body).data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'host-not-allowed' })
    expect(g.handled.length).toBe(before)
    expect(g.rejected.at(-1)).toMatchObject({ reason: 'host-not-allowed', path: '/rpc', host: `evil.test:${g.port}` })
    expect(g.rejected.at(-1)!.peer).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('T18: refuses a chunked body once it passes maxBodyBytes, while streaming', async () => {
    const before = g.handled.length
    const chunks = ['{"jsonrpc":"2.0","method":"x","id":1,"pad":"', 'a'.repeat(600), 'a'.repeat(600), '"}']
    const res = await send({ port: g.port }, 'POST', '/rpc', { host: `127.0.0.1:${g.port}`, ...JSON_HEADERS }, chunks)
    expect(res.status).toBe(413)
    expect(errorOf(res.body).data).toMatchObject({ code: 'ERR_INVALID_REQUEST', reason: 'body-too-large', limit: MAX_BODY })
    expect(g.handled.length).toBe(before)
  })
})

describe('guards on a real Unix socket', () => {
  let g: Guarded
  let dir: string
  let socketPath: string

  beforeAll(async () => {
    // mkdtemp makes a 0700 directory; the socket itself is made 0600, as the agent does.
    dir = mkdtempSync(join(tmpdir(), 'ehagent-guards-'))
    socketPath = join(dir, 'agent.sock')
    g = await startGuarded(listenOnUnixSocket(socketPath), true)
  })
  afterAll(async () => {
    await close(g?.server)
    rmSync(dir, { recursive: true, force: true })
  })

  it('accepts a request with Host: localhost and no remote address', async () => {
    const res = await send({ socketPath }, 'POST', '/rpc', { host: 'localhost', ...JSON_HEADERS }, [RPC])
    expect(res.status).toBe(200)
    // No TCP, so no /proc lookup: the socket's file mode is the check.
    expect(g.uids).toEqual([])
  })

  it('refuses a foreign Host on the Unix socket too', async () => {
    const res = await send({ socketPath }, 'POST', '/rpc', { host: 'evil.test', ...JSON_HEADERS }, [RPC])
    expect(res.status).toBe(421)
    expect(g.rejected.at(-1)).toMatchObject({ reason: 'host-not-allowed', peer: 'unix' })
  })
})
