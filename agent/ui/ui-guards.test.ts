import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { uiGuards, type UiGuardOptions } from './ui-guards.js'

const PORT = 4752
const HOST = `127.0.0.1:${PORT}`
const ORIGIN = `http://${HOST}`
const FORM = 'application/x-www-form-urlencoded'

function tcpEnv(remoteAddress = '127.0.0.1') {
  const socket = {
    remoteAddress,
    remotePort: 50123,
    localPort: PORT,
    destroyed: false,
    destroy() {
      socket.destroyed = true
    },
  }
  return { incoming: { socket } }
}

function createApp(overrides: Partial<UiGuardOptions> = {}) {
  const rejected: string[] = []
  const handled: string[] = []
  const app = new Hono()
  app.use('*', uiGuards({ port: PORT, maxBodyBytes: 1024, renderRefusal: (status) => `<p>refused ${status}</p>`, onRejected: (i) => rejected.push(i.reason), ...overrides }))
  app.get('/ui/page', (c) => {
    handled.push('get')
    return c.html('<p>page</p>')
  })
  app.post('/ui/page', async (c) => {
    await c.req.parseBody()
    handled.push('post')
    return c.redirect('/ui/page', 303)
  })
  return { app, rejected, handled }
}

function request(app: Hono, method: string, headers: Record<string, string>, body?: string, env: unknown = tcpEnv()) {
  return app.request('/ui/page', { method, headers: { host: HOST, ...headers }, ...(body !== undefined ? { body } : {}) }, env)
}


function expectSecurityHeaders(res: Response): void {
  expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
  expect(res.headers.get('x-frame-options')).toBe('DENY')
  expect(res.headers.get('referrer-policy')).toBe('same-origin')
  expect(res.headers.get('cache-control')).toBe('no-store')
}

describe('uiGuards: what a page of ours and a browser opening our link look like', () => {
  it('a link opened by the agent (Sec-Fetch-Site: none) and a same-origin navigation pass, with the security headers', async () => {
    const { app, handled } = createApp()
    for (const site of ['none', 'same-origin']) {
      const res = await request(app, 'GET', { 'sec-fetch-site': site, 'sec-fetch-dest': 'document' })
      expect(res.status).toBe(200)
      expectSecurityHeaders(res)
    }
    expect(handled).toEqual(['get', 'get'])
  })

  it('a form POST from our own origin passes, and its redirect carries the headers too', async () => {
    const { app, handled } = createApp()
    const res = await request(app, 'POST', { origin: ORIGIN, 'sec-fetch-site': 'same-origin', 'content-type': FORM }, 'a=1')
    expect(res.status).toBe(303)
    expectSecurityHeaders(res)
    expect(handled).toEqual(['post'])
  })

  it('a client without Sec-Fetch headers (no browser) may GET; the session decides the rest', async () => {
    const { app } = createApp()
    expect((await request(app, 'GET', {})).status).toBe(200)
  })
})

describe('uiGuards: refusals, each with the headers and a reason for the privacy log', () => {
  const cases: [string, string, Record<string, string>, string | undefined, number, string][] = [
    ['cross-site navigation', 'GET', { 'sec-fetch-site': 'cross-site' }, undefined, 403, 'cross-site-request'],
    ['same-site (another port of localhost)', 'GET', { 'sec-fetch-site': 'same-site' }, undefined, 403, 'cross-site-request'],
    ['a frame', 'GET', { 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'iframe' }, undefined, 403, 'framed'],
    ['an embed', 'GET', { 'sec-fetch-dest': 'embed' }, undefined, 403, 'framed'],
    ['a GET with a foreign Origin', 'GET', { origin: 'http://127.0.0.1:3000' }, undefined, 403, 'origin-not-allowed'],
    ['a POST without Origin', 'POST', { 'content-type': FORM }, 'a=1', 403, 'origin-not-allowed'],
    ['a POST from another port', 'POST', { origin: 'http://127.0.0.1:3000', 'content-type': FORM }, 'a=1', 403, 'origin-not-allowed'],
    ['a POST from an extension', 'POST', { origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'content-type': FORM }, 'a=1', 403, 'origin-not-allowed'],
    ['a POST with Origin null', 'POST', { origin: 'null', 'content-type': FORM }, 'a=1', 403, 'origin-not-allowed'],
    ['a same-origin POST the browser calls same-site', 'POST', { origin: ORIGIN, 'sec-fetch-site': 'same-site', 'content-type': FORM }, 'a=1', 403, 'cross-site-request'],
    ['a JSON POST (the API\'s kind)', 'POST', { origin: ORIGIN, 'content-type': 'application/json' }, '{}', 415, 'content-type-not-form'],
    ['a text/plain POST', 'POST', { origin: ORIGIN, 'content-type': 'text/plain' }, 'a=1', 415, 'content-type-not-form'],
    ['PUT', 'PUT', { origin: ORIGIN, 'content-type': FORM }, 'a=1', 405, 'method-not-allowed'],
    ['a body too large', 'POST', { origin: ORIGIN, 'content-type': FORM }, 'a='.padEnd(2048, 'x'), 413, 'body-too-large'],
  ]
  for (const [name, method, headers, body, status, reason] of cases) {
    it(name, async () => {
      const { app, rejected, handled } = createApp()
      const res = await request(app, method, headers, body)
      expect(res.status).toBe(status)
      expectSecurityHeaders(res)
      expect(await res.text()).toBe(`<p>refused ${status}</p>`)
      expect(rejected).toEqual([reason])
      expect(handled).toEqual([])
    })
  }

  it('a Host that is not ours (DNS rebinding): 421', async () => {
    const { app, rejected } = createApp()
    const res = await app.request('/ui/page', { headers: { host: `evil.test:${PORT}` } }, tcpEnv())
    expect(res.status).toBe(421)
    expect(rejected).toEqual(['host-not-allowed'])
  })

  it('a peer that is not loopback (T12: the connection is closed, no answer), or another user on the same machine (T5: 403)', async () => {
    const { app, rejected } = createApp({ peerUid: { agentUid: 1000, lookup: async () => 1001 } })
    const foreign = tcpEnv('192.168.1.20')
    expect((await request(app, 'GET', {}, undefined, foreign)).body).toBeNull()
    expect(foreign.incoming.socket.destroyed).toBe(true)
    expect((await request(app, 'GET', {})).status).toBe(403)
    expect(rejected).toEqual(['non-loopback-peer', 'peer-uid-mismatch'])
  })

  it('a connection it cannot identify', async () => {
    const { app, rejected } = createApp()
    expect((await app.request('/ui/page', { headers: { host: HOST } }, {})).status).toBe(403)
    expect(rejected).toEqual(['unknown-transport'])
  })
})

