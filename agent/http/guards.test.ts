import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { requestGuards, type GuardOptions } from './guards.js'

const PORT = 4752
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'
const MAX_BODY = 1024
const HOST = `127.0.0.1:${PORT}`
const RPC = '{"jsonrpc":"2.0","method":"agent.status","id":1}'

type Rejection = Parameters<NonNullable<GuardOptions['onRejected']>>[0]

/** The bindings @hono/node-server passes as c.env, for a TCP peer. */
function tcpEnv(remoteAddress = '127.0.0.1', remotePort = 50123) {
  const socket = {
    remoteAddress,
    remotePort,
    localPort: PORT,
    remoteFamily: remoteAddress.includes(':') ? 'IPv6' : 'IPv4',
    destroyed: false,
    destroy() {
      socket.destroyed = true
    },
  }
  return { incoming: { socket } }
}

/** The same for a connection on the agent's Unix socket: no remote address, server on a path. */
function unixEnv(path = '/run/user/1000/ehagent/agent.sock') {
  return { incoming: { socket: { server: { address: () => path } } } }
}

/** A small app with the guards in front of a dummy POST /rpc, GET /health and GET /events. */
function createApp(overrides: Partial<GuardOptions> = {}) {
  const rejected: Rejection[] = []
  const handled: string[] = []
  const app = new Hono()
  app.use('*', requestGuards({ port: PORT, allowedOrigins: [EXTENSION], maxBodyBytes: MAX_BODY, onRejected: (info) => rejected.push(info), ...overrides }))
  app.post('/rpc', async (c) => {
    const body = (await c.req.json()) as { id?: unknown }
    handled.push('rpc')
    return c.json({ jsonrpc: '2.0', result: 'ok', id: body.id ?? null })
  })
  app.get('/health', (c) => {
    handled.push('health')
    return c.json({ ok: true })
  })
  app.get('/events', (c) => {
    handled.push('events')
    return c.body('event: status\ndata: {}\n\n', 200, { 'content-type': 'text/event-stream' })
  })
  // A route that (wrongly) opens itself to every origin, to show the guards take that back.
  app.get('/leaky', (c) => {
    handled.push('leaky')
    return c.json({ ok: true }, 200, { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' })
  })
  return { app, rejected, handled }
}

function post(app: Hono, headers: Record<string, string> = {}, body: BodyInit = RPC, env: unknown = tcpEnv()) {
  // duplex: a ReadableStream body is sent as a stream, with no Content-Length (fetch spec).
  const init = { method: 'POST', headers: { host: HOST, 'content-type': 'application/json', ...headers }, body, duplex: 'half' }
  return app.request('/rpc', init as RequestInit, env)
}

function get(app: Hono, path: string, headers: Record<string, string> = {}, env: unknown = tcpEnv()) {
  return app.request(path, { headers: { host: HOST, ...headers } }, env)
}

/** Asserts a refusal: status, the JSON-RPC error shape, the reason, and that nothing ran. */
async function expectRefused(
  res: Response,
  status: number,
  code: 'ERR_UNAUTHORIZED' | 'ERR_INVALID_REQUEST',
  reason: string,
  ctx: { handled: string[]; rejected: Rejection[] },
) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string; data: Record<string, unknown> } }
  expect(body.jsonrpc).toBe('2.0')
  expect(body.id).toBeNull()
  expect(body.error.code).toBe(code === 'ERR_UNAUTHORIZED' ? -32001 : -32600)
  expect(typeof body.error.message).toBe('string')
  expect(body.error.data).toMatchObject({ code, reason })
  expect(typeof body.error.data.hint).toBe('string')
  expect(Object.keys(body).sort()).toEqual(['error', 'id', 'jsonrpc'])
  expect(ctx.handled).toEqual([])
  expect(ctx.rejected.at(-1)?.reason).toBe(reason)
  return body
}

describe('requestGuards: accepted requests', () => {
  it('lets a loopback POST /rpc with our Host and application/json through, with no CORS header', async () => {
    const ctx = createApp()
    const res = await post(ctx.app)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ jsonrpc: '2.0', result: 'ok', id: 1 })
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(ctx.handled).toEqual(['rpc'])
    expect(ctx.rejected).toEqual([])
  })

  it.each([`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`, `LOCALHOST:${PORT}`])('accepts Host %s', async (host) => {
    const ctx = createApp()
    expect((await post(ctx.app, { host })).status).toBe(200)
  })

  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('accepts the loopback peer %s', async (address) => {
    const ctx = createApp()
    expect((await post(ctx.app, {}, RPC, tcpEnv(address))).status).toBe(200)
  })

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'])('accepts Content-Type %j', async (type) => {
    const ctx = createApp()
    expect((await post(ctx.app, { 'content-type': type })).status).toBe(200)
  })

  it('lets GET /health and GET /events through without a Content-Type', async () => {
    const ctx = createApp()
    expect((await get(ctx.app, '/health')).status).toBe(200)
    const events = await get(ctx.app, '/events')
    expect(events.status).toBe(200)
    expect(events.headers.get('content-type')).toBe('text/event-stream')
    expect(ctx.handled).toEqual(['health', 'events'])
  })

  it('accepts the Unix socket with Host: localhost', async () => {
    const ctx = createApp()
    expect((await post(ctx.app, { host: 'localhost' }, RPC, unixEnv())).status).toBe(200)
    expect((await get(ctx.app, '/health', { host: `127.0.0.1:${PORT}` }, unixEnv())).status).toBe(200)
  })

  it('accepts an allowed extension origin and answers it with CORS headers', async () => {
    const ctx = createApp()
    const res = await post(ctx.app, { origin: EXTENSION })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(EXTENSION)
    expect(res.headers.get('vary')).toMatch(/origin/i)
  })

  it('answers a preflight from an allowed extension origin', async () => {
    const ctx = createApp()
    const res = await ctx.app.request(
      '/rpc',
      { method: 'OPTIONS', headers: { host: HOST, origin: EXTENSION, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } },
      tcpEnv(),
    )
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe(EXTENSION)
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization')
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST')
    expect(ctx.handled).toEqual([])
  })

  it('accepts a body of exactly maxBodyBytes, by Content-Length and streamed', async () => {
    const body = `{"jsonrpc":"2.0","method":"x","id":1,"pad":"${'a'.repeat(MAX_BODY - 46)}"}`
    expect(body).toHaveLength(MAX_BODY)
    const ctx = createApp()
    expect((await post(ctx.app, { 'content-length': String(MAX_BODY) }, body)).status).toBe(200)
    expect((await post(ctx.app, {}, streamOf(body))).status).toBe(200)
    // The control for the "before reading the body" checks below: an accepted body is read.
    const counted = countedStream(RPC)
    expect((await post(ctx.app, {}, counted.stream)).status).toBe(200)
    expect(counted.pulls()).toBeGreaterThan(0)
    expect(ctx.handled).toEqual(['rpc', 'rpc', 'rpc'])
  })

  it('takes back an Access-Control-Allow-Origin the app set for anyone else', async () => {
    const ctx = createApp()
    const plain = await get(ctx.app, '/leaky')
    expect(plain.status).toBe(200)
    expect(plain.headers.get('access-control-allow-origin')).toBeNull()
    expect(plain.headers.get('access-control-allow-credentials')).toBeNull()
    const extension = await get(ctx.app, '/leaky', { origin: EXTENSION })
    expect(extension.headers.get('access-control-allow-origin')).toBe(EXTENSION)
  })
})

describe('requestGuards: refusals', () => {
  it('T12: a non-loopback peer gets the connection closed, without any answer (not even a 403)', async () => {
    for (const address of ['192.168.1.5', '::ffff:192.168.1.5', '10.0.0.7', 'fe80::1', '0.0.0.0']) {
      const ctx = createApp()
      const env = tcpEnv(address)
      const res = await post(ctx.app, {}, RPC, env)
      expect(env.incoming.socket.destroyed, address).toBe(true)
      // Nothing is written to a destroyed socket; the response the adapter gets carries no body.
      expect(res.body).toBeNull()
      expect(ctx.handled).toEqual([])
      expect(ctx.rejected).toEqual([{ reason: 'non-loopback-peer', path: '/rpc', host: HOST, peer: address.includes(':') ? `[${address}]:50123` : `${address}:50123` }])
    }
  })

  it('T12: the same for GET /health; a loopback peer\'s socket is left alone', async () => {
    const ctx = createApp()
    const foreign = tcpEnv('192.168.1.5')
    expect((await get(ctx.app, '/health', {}, foreign)).body).toBeNull()
    expect(foreign.incoming.socket.destroyed).toBe(true)
    const local = tcpEnv()
    expect((await get(ctx.app, '/health', {}, local)).status).toBe(200)
    expect(local.incoming.socket.destroyed).toBe(false)
  })

  it('refuses a request whose connection cannot be identified (no socket; TCP socket with the peer gone)', async () => {
    for (const env of [undefined, {}, { incoming: {} }, { incoming: { socket: { server: { address: () => ({ port: PORT }) } } } }]) {
      const ctx = createApp()
      const res = await ctx.app.request('/rpc', { method: 'POST', headers: { host: HOST, 'content-type': 'application/json' }, body: RPC }, env)
      await expectRefused(res, 403, 'ERR_UNAUTHORIZED', 'unknown-transport', ctx)
    }
  })

  it.each([`evil.test:${PORT}`, `127.0.0.1:${PORT + 1}`, `localhost:${PORT}.evil.test`, `127.0.0.1`, 'localhost', `[::1]`, `127.0.0.2:${PORT}`, ''])(
    'T2: refuses Host %j over TCP with 421',
    async (host) => {
      const ctx = createApp()
      await expectRefused(await post(ctx.app, { host }), 421, 'ERR_UNAUTHORIZED', 'host-not-allowed', ctx)
    },
  )

  it('T2: refuses a missing Host, and a foreign Host on the Unix socket and on GET /health', async () => {
    const ctx = createApp()
    const res = await ctx.app.request('/rpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: RPC }, tcpEnv())
    await expectRefused(res, 421, 'ERR_UNAUTHORIZED', 'host-not-allowed', ctx)
    await expectRefused(await post(ctx.app, { host: 'evil.test' }, RPC, unixEnv()), 421, 'ERR_UNAUTHORIZED', 'host-not-allowed', ctx)
    await expectRefused(await get(ctx.app, '/health', { host: `evil.test:${PORT}` }), 421, 'ERR_UNAUTHORIZED', 'host-not-allowed', ctx)
  })

  it.each(['https://evil.test', 'null', 'http://127.0.0.1:8080', 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba', `${EXTENSION}/`, `${EXTENSION}, https://evil.test`])(
    'T1: refuses Origin %j with 403 and no CORS header',
    async (origin) => {
      const ctx = createApp()
      const res = await post(ctx.app, { origin })
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
      await expectRefused(res, 403, 'ERR_UNAUTHORIZED', 'origin-not-allowed', ctx)
      expect(ctx.rejected.at(-1)?.origin).toBe(origin)
    },
  )

  it('T1: a web origin cannot read GET /health either', async () => {
    const ctx = createApp()
    const res = await get(ctx.app, '/health', { origin: 'https://evil.test' })
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    await expectRefused(res, 403, 'ERR_UNAUTHORIZED', 'origin-not-allowed', ctx)
  })

  it('T1: refuses a preflight from a web origin, and an OPTIONS with no Origin', async () => {
    const ctx = createApp()
    const preflight = { method: 'OPTIONS', headers: { host: HOST, origin: 'https://evil.test', 'access-control-request-method': 'POST' } }
    const res = await ctx.app.request('/rpc', preflight, tcpEnv())
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    await expectRefused(res, 403, 'ERR_UNAUTHORIZED', 'origin-not-allowed', ctx)
    await expectRefused(await ctx.app.request('/rpc', { method: 'OPTIONS', headers: { host: HOST } }, tcpEnv()), 403, 'ERR_UNAUTHORIZED', 'preflight-refused', ctx)
  })

  it.each([undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json', 'application/jsonx', 'text/json', 'application/json, text/plain', 'text/plain; x=application/json'])(
    'T1: refuses a POST with Content-Type %j with 415, before reading the body',
    async (type) => {
      const ctx = createApp()
      const counted = countedStream(RPC)
      const headers: Record<string, string> = { host: HOST }
      if (type !== undefined) headers['content-type'] = type
      const res = await ctx.app.request('/rpc', { method: 'POST', headers, body: counted.stream, duplex: 'half' } as RequestInit, tcpEnv())
      await expectRefused(res, 415, 'ERR_INVALID_REQUEST', 'content-type-not-json', ctx)
      expect(counted.pulls()).toBe(0)
    },
  )

  it('T1: requires application/json for other methods with a body too', async () => {
    const ctx = createApp()
    const res = await ctx.app.request('/rpc', { method: 'PUT', headers: { host: HOST, 'content-type': 'text/plain' }, body: RPC }, tcpEnv())
    await expectRefused(res, 415, 'ERR_INVALID_REQUEST', 'content-type-not-json', ctx)
  })

  it('T18: refuses a body over maxBodyBytes by Content-Length with 413, without reading it', async () => {
    const ctx = createApp()
    const counted = countedStream('x'.repeat(MAX_BODY + 1))
    const init = { method: 'POST', headers: { host: HOST, 'content-type': 'application/json', 'content-length': String(MAX_BODY + 1) }, body: counted.stream, duplex: 'half' }
    const res = await ctx.app.request('/rpc', init as RequestInit, tcpEnv())
    expect(res.headers.get('connection')).toBe('close')
    const body = await expectRefused(res, 413, 'ERR_INVALID_REQUEST', 'body-too-large', ctx)
    expect(body.error.data.limit).toBe(MAX_BODY)
    expect(counted.pulls()).toBe(0)
  })

  it('T18: refuses a streamed body with no Content-Length once it passes maxBodyBytes', async () => {
    const ctx = createApp()
    const res = await post(ctx.app, {}, streamOf('x'.repeat(MAX_BODY + 1)))
    await expectRefused(res, 413, 'ERR_INVALID_REQUEST', 'body-too-large', ctx)
    expect(ctx.rejected.at(-1)).toEqual({ reason: 'body-too-large', path: '/rpc', host: HOST, peer: '127.0.0.1:50123' })
  })

  it('a refusal to an allowed extension carries its CORS header, so it can read the error', async () => {
    const ctx = createApp()
    const res = await post(ctx.app, { origin: EXTENSION, 'content-type': 'text/plain' })
    expect(res.headers.get('access-control-allow-origin')).toBe(EXTENSION)
    await expectRefused(res, 415, 'ERR_INVALID_REQUEST', 'content-type-not-json', ctx)
  })

  it('reports every refusal, and still refuses when onRejected throws', async () => {
    const ctx = createApp({
      onRejected: () => {
        throw new Error('disk full')
      },
    })
    const res = await post(ctx.app, { origin: 'https://evil.test' })
    expect(res.status).toBe(403)
    expect(ctx.handled).toEqual([])
  })

  it('cuts attacker-sized header values before they reach the privacy log', async () => {
    const ctx = createApp()
    await post(ctx.app, { origin: `https://${'a'.repeat(5000)}.test` })
    expect(ctx.rejected[0]!.origin!.length).toBeLessThanOrEqual(201)
  })
})

describe('requestGuards: peer uid (T5)', () => {
  const AGENT_UID = 1000

  it('accepts a peer of the same uid and asks once per connection', async () => {
    const asked: unknown[] = []
    const ctx = createApp({
      peerUid: {
        agentUid: AGENT_UID,
        lookup: async (peer, localPort) => {
          asked.push([peer, localPort])
          return AGENT_UID
        },
      },
    })
    const env = tcpEnv('127.0.0.1', 40000)
    expect((await post(ctx.app, {}, RPC, env)).status).toBe(200)
    expect((await get(ctx.app, '/health', {}, env)).status).toBe(200)
    expect(asked).toEqual([[{ address: '127.0.0.1', port: 40000 }, PORT]])
    expect((await post(ctx.app, {}, RPC, tcpEnv('127.0.0.1', 40001))).status).toBe(200)
    expect(asked).toHaveLength(2)
  })

  it('refuses a peer of another uid with 403 and reports it', async () => {
    const ctx = createApp({ peerUid: { agentUid: AGENT_UID, lookup: async () => 1001 } })
    await expectRefused(await post(ctx.app), 403, 'ERR_UNAUTHORIZED', 'peer-uid-mismatch', ctx)
    expect(ctx.rejected).toEqual([{ reason: 'peer-uid-mismatch', path: '/rpc', host: HOST, peer: '127.0.0.1:50123' }])
  })

  it('refuses a peer whose uid cannot be found, or whose lookup fails, and asks again next time', async () => {
    let calls = 0
    const ctx = createApp({
      peerUid: {
        agentUid: AGENT_UID,
        lookup: async () => {
          calls++
          if (calls === 2) throw new Error('EACCES')
          return undefined
        },
      },
    })
    const env = tcpEnv()
    await expectRefused(await post(ctx.app, {}, RPC, env), 403, 'ERR_UNAUTHORIZED', 'peer-uid-unknown', ctx)
    await expectRefused(await post(ctx.app, {}, RPC, env), 403, 'ERR_UNAUTHORIZED', 'peer-uid-unknown', ctx)
    expect(calls).toBe(2)
  })

  it('does not look up the Unix socket, which the file mode already limits to this user', async () => {
    let calls = 0
    const ctx = createApp({ peerUid: { agentUid: AGENT_UID, lookup: async () => (calls++, 1001) } })
    expect((await post(ctx.app, { host: 'localhost' }, RPC, unixEnv())).status).toBe(200)
    expect(calls).toBe(0)
  })

  it('checks the peer before Host and Origin, so another user is reported as such', async () => {
    const ctx = createApp({ peerUid: { agentUid: AGENT_UID, lookup: async () => 1001 } })
    await expectRefused(await post(ctx.app, { host: `evil.test:${PORT}`, origin: 'https://evil.test' }), 403, 'ERR_UNAUTHORIZED', 'peer-uid-mismatch', ctx)
  })
})

describe('requestGuards: options', () => {
  it.each([
    [{ allowedOrigins: ['*'] }],
    [{ allowedOrigins: ['null'] }],
    [{ allowedOrigins: [''] }],
    [{ allowedOrigins: [`${EXTENSION}/`] }],
    [{ port: 0 }],
    [{ port: 70000 }],
    [{ maxBodyBytes: 0 }],
  ])('refuses %j at construction', (bad) => {
    const options: GuardOptions = { port: PORT, allowedOrigins: [EXTENSION], maxBodyBytes: MAX_BODY, ...bad }
    expect(() => requestGuards(options)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }))
  })
})

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  return new ReadableStream({
    start(controller) {
      // Several chunks, so the limit is hit mid-stream and not on the first read.
      for (let i = 0; i < bytes.length; i += 100) controller.enqueue(bytes.subarray(i, i + 100))
      controller.close()
    },
  })
}

/** A body that counts how often it was read from: 0 proves the guard refused before reading. */
function countedStream(text: string): { stream: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0
  let sent = false
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++
        if (sent) return controller.close()
        sent = true
        controller.enqueue(new TextEncoder().encode(text))
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, pulls: () => pulls }
}
