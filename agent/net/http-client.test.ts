import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startLoopbackProxy, type LoopbackProxy } from '../../test/helpers/loopback-proxy.js'
import { createHttpClient, type HttpClient } from './http-client.js'
import { proxyLayers, resolveProxyPlan, type ProxySettings } from './resolve-proxy.js'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (let f = cleanup.pop(); f; f = cleanup.pop()) await f()
})

function client(options: Parameters<typeof createHttpClient>[0] = {}): HttpClient {
  const c = createHttpClient(options)
  cleanup.push(() => c.close())
  return c
}

function viaProxy(settings: ProxySettings, extra: Parameters<typeof createHttpClient>[0] = {}): HttpClient {
  return client({ proxy: resolveProxyPlan(proxyLayers({ settings, environment: {} })), ...extra })
}

/** A loopback HTTP server; counts the TCP connections it accepted. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; connections: () => number }> {
  let connections = 0
  const server: Server = createServer(handler)
  server.on('connection', () => connections++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  cleanup.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections }
}

/** A raw TCP server: the test writes whatever bytes it wants, as slowly as it wants. */
async function serveRaw(onSocket: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>()
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
    onSocket(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  cleanup.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function proxy(options: Parameters<typeof startLoopbackProxy>[0] = {}): Promise<LoopbackProxy> {
  const p = await startLoopbackProxy(options)
  cleanup.push(() => p.close())
  return p
}

/** Writes `text` one byte every `ms`, for ever (until the socket closes). */
function trickle(socket: Socket, text: string, ms: number): void {
  let i = 0
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer)
    socket.write(text[i++ % text.length]!)
  }, ms)
  socket.on('close', () => clearInterval(timer))
}

describe('createHttpClient: direct', () => {
  it('posts and reads the answer, and keeps the connection for the next call', async () => {
    const s = await serve((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain', date: 'Mon, 02 Jun 2025 10:00:00 GMT' }).end(`${req.method} ${req.url} ${req.headers.soapaction} ${body}`))
    })
    const c = client()
    const first = await c.request({ url: `${s.url}/sts`, method: 'POST', headers: { SOAPAction: '"x"' }, body: '<e/>', timeoutMs: 5000 })
    expect(first).toMatchObject({ status: 200, body: 'POST /sts "x" <e/>' })
    expect(first.headers.date).toBe('Mon, 02 Jun 2025 10:00:00 GMT')
    for (let i = 0; i < 10; i++) await c.request({ url: `${s.url}/again`, method: 'GET', headers: {}, timeoutMs: 5000 })
    // Kept alive: eleven calls, one connection (undici may open a second while the first is
    // being handed back to its pool), never one per call.
    expect(s.connections()).toBeLessThanOrEqual(2)
  })

  it('a server that trickles the body never holds a call beyond its deadline: ERR_TIMEOUT', async () => {
    const url = await serveRaw((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n')
        trickle(socket, '<x/>', 20)
      })
    })
    const err = await client()
      .request({ url: `${url}/slow`, method: 'POST', headers: {}, body: '<e/>', timeoutMs: 600 })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', data: { host: new URL(url).host, timeoutMs: 600 } })
  })

  it('a server that trickles its status line and headers is cut off at the deadline too', async () => {
    const url = await serveRaw((socket) => socket.once('data', () => trickle(socket, 'HTTP/1.1 200 OK\r\nX-Slow: ' + 'a'.repeat(10_000), 20)))
    await expect(client().request({ url, method: 'GET', headers: {}, timeoutMs: 600 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
  })

  it('refuses an answer larger than the limit, declared or not', async () => {
    const big = 'x'.repeat(300_000)
    const declared = await serve((_req, res) => res.writeHead(200, { 'content-length': String(big.length) }).end(big))
    const chunked = await serve((_req, res) => {
      res.writeHead(200)
      res.write(big)
      res.end(big)
    })
    const c = client({ maxResponseBytes: 200_000 })
    for (const s of [declared, chunked]) {
      await expect(c.request({ url: s.url, method: 'GET', headers: {}, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ERR_REMOTE_PROTOCOL', data: { limit: 200_000 } })
    }
    await expect(client({ maxResponseBytes: 700_000 }).request({ url: chunked.url, method: 'GET', headers: {}, timeoutMs: 5000 })).resolves.toMatchObject({ status: 200 })
  })

  it('a refused connection is ERR_NETWORK naming the host; the caller can cancel', async () => {
    await expect(client().request({ url: 'http://127.0.0.1:1/x', method: 'GET', headers: {}, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ERR_NETWORK', data: { host: '127.0.0.1:1', cause: 'ECONNREFUSED' } })
    const url = await serveRaw(() => undefined)
    const controller = new AbortController()
    const pending = client().request({ url, method: 'GET', headers: {}, timeoutMs: 10_000, signal: controller.signal })
    controller.abort(new Error('cancelled by the caller'))
    await expect(pending).rejects.toThrow('cancelled by the caller')
  })
})

describe('createHttpClient: through a proxy', () => {
  it('forwards http:// in absolute form and tunnels https:// with CONNECT, with Basic credentials', async () => {
    const s = await serve((req, res) => res.end(`${req.method} ${req.url}`))
    const p = await proxy({ requireAuth: `Basic ${Buffer.from('alice:s3 cret').toString('base64')}` })
    const c = viaProxy({ proxy: p.url, proxyUsername: 'alice', proxyPassword: 's3 cret' }, { proxyLoopback: true })
    await expect(c.request({ url: `${s.url}/IAM/x`, method: 'POST', headers: {}, body: 'b', timeoutMs: 5000 })).resolves.toMatchObject({ status: 200, body: 'POST /IAM/x' })
    expect(p.seen[0]).toEqual({ line: `POST ${s.url}/IAM/x`, authorization: `Basic ${Buffer.from('alice:s3 cret').toString('base64')}` })
    // The tunnel is made; TLS then fails because the target speaks plain HTTP, and that is not the proxy's fault.
    const tls = await c.request({ url: `https://127.0.0.1:${new URL(s.url).port}/y`, method: 'GET', headers: {}, timeoutMs: 5000 }).catch((e: unknown) => e)
    expect(p.seen[1]!.line).toBe(`CONNECT 127.0.0.1:${new URL(s.url).port}`)
    expect(tls).toMatchObject({ code: 'ERR_TLS', data: { host: `127.0.0.1:${new URL(s.url).port}` } })
  })

  it('loopback and NO_PROXY hosts go direct; others through the proxy', async () => {
    const s = await serve((_req, res) => res.end('direct'))
    const p = await proxy()
    const c = viaProxy({ proxy: p.url, noProxy: '.hospital.example, 10.0.0.0/8' })
    await expect(c.request({ url: s.url, method: 'GET', headers: {}, timeoutMs: 5000 })).resolves.toMatchObject({ body: 'direct' })
    expect(p.seen).toEqual([])
    expect(c.proxyFor('https://services.ehealth.fgov.be/IAM/x')).toMatchObject({ source: 'setting', display: p.url })
    expect(c.proxyFor('https://pacs.hospital.example/x')).toBeUndefined()
    expect(c.proxyFor('http://10.1.2.3/x')).toBeUndefined()
    expect(c.proxyFor('http://[::1]:4753/x')).toBeUndefined()
    const forced = viaProxy({ proxy: p.url }, { proxyLoopback: true })
    await forced.request({ url: s.url, method: 'GET', headers: {}, timeoutMs: 5000 })
    expect(p.seen.map((x) => x.line)).toEqual([`GET ${s.url}/`])
  })

  it('a proxy that is down is ERR_PROXY naming the proxy (password masked), not eHealth', async () => {
    const c = viaProxy({ proxy: 'http://alice:p4ssw0rd@127.0.0.1:1' })
    for (const url of ['https://services.ehealth.fgov.be/IAM/SecurityTokenService/v1', 'http://services.ehealth.fgov.be/x']) {
      const err = (await c.request({ url, method: 'POST', headers: {}, body: '', timeoutMs: 5000 }).catch((e: unknown) => e)) as Error & { code: string; data: object }
      expect(err).toMatchObject({ code: 'ERR_PROXY', data: { reason: 'unreachable', proxy: 'http://alice:***@127.0.0.1:1', cause: 'ECONNREFUSED' } })
      expect(err.message).toMatch(/^cannot reach the proxy http:\/\/alice:\*\*\*@127\.0\.0\.1:1 \(ECONNREFUSED\); services\.ehealth\.fgov\.be was not tried$/)
      expect(JSON.stringify(err.data) + err.message).not.toContain('p4ssw0rd')
    }
  })

  it('407 without credentials, or with wrong ones, is ERR_PROXY saying so, for forwarded and tunnelled requests', async () => {
    const s = await serve((_req, res) => res.end('ok'))
    const p = await proxy({ requireAuth: `Basic ${Buffer.from('alice:right').toString('base64')}` })
    const https = `https://127.0.0.1:${new URL(s.url).port}/`
    for (const url of [s.url, https]) {
      await expect(viaProxy({ proxy: p.url }, { proxyLoopback: true }).request({ url, method: 'GET', headers: {}, timeoutMs: 5000 })).rejects.toMatchObject({
        code: 'ERR_PROXY',
        message: expect.stringMatching(/asks for a user name and password \(HTTP 407\)/),
        data: { reason: 'credentials-required', status: 407 },
      })
      const wrong = await viaProxy({ proxy: p.url, proxyUsername: 'alice', proxyPassword: 'wrong' }, { proxyLoopback: true })
        .request({ url, method: 'GET', headers: {}, timeoutMs: 5000 })
        .catch((e: unknown) => e)
      expect(wrong).toMatchObject({ code: 'ERR_PROXY', data: { reason: 'credentials-refused', proxy: `http://alice:***@127.0.0.1:${p.port}` } })
      expect((wrong as Error).message).not.toContain('wrong')
    }
  })

  it('a CONNECT refused by policy is ERR_PROXY; one the proxy could not complete is ERR_NETWORK through the proxy', async () => {
    const forbidden = await proxy({ connectStatus: 403 })
    await expect(viaProxy({ proxy: forbidden.url }).request({ url: 'https://services.ehealth.fgov.be/', method: 'GET', headers: {}, timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'ERR_PROXY',
      data: { reason: 'refused', status: 403, host: 'services.ehealth.fgov.be' },
    })
    const gateway = await proxy({ connectStatus: 502 })
    await expect(viaProxy({ proxy: gateway.url }).request({ url: 'https://services.ehealth.fgov.be/', method: 'GET', headers: {}, timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'ERR_NETWORK',
      message: `the proxy ${gateway.url} could not reach services.ehealth.fgov.be (it answered HTTP 502 to CONNECT)`,
    })
  })

  it('the deadline covers a proxy that accepts and never answers the CONNECT', async () => {
    const silent = await serveRaw(() => undefined)
    await expect(viaProxy({ proxy: silent }).request({ url: 'https://services.ehealth.fgov.be/', method: 'GET', headers: {}, timeoutMs: 500 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      data: { proxy: silent, timeoutMs: 500 },
    })
  })
})

describe('createHttpClient: fetch for IAM Connect', () => {
  it('serves fetch through the same client: JSON, form posts, redirects never followed', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/moved') return void res.writeHead(302, { location: 'https://elsewhere.example/' }).end()
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body })))
    })
    const c = client()
    const res = await c.fetch(`${s.url}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ a: '1 2' }).toString() })
    expect(res.ok).toBe(true)
    expect(await res.json()).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded', body: 'a=1+2' })
    await expect(c.fetch(`${s.url}/moved`, { redirect: 'error' })).rejects.toThrow(/redirect \(HTTP 302\)/)
    expect((await c.fetch(`${s.url}/moved`, { redirect: 'manual' })).status).toBe(302)
  })
})
