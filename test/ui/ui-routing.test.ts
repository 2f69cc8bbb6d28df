import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'

// Two guard policies share one port: the API's (JSON only, no web origin) for everything, and
// the pages' (forms from their own origin, top-level only) for /ui. Over a real socket: every
// request gets exactly one of them, path tricks included, and /rpc keeps all of its protection.

let t: UiTestAgent

beforeAll(async () => {
  t = await startUiTestAgent()
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
})

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, method, path, agent: false, headers: { host: `127.0.0.1:${t.port}`, ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

const RPC = JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 1 })

describe('one port, two guard policies', () => {
  it('/rpc is unchanged: JSON with the credential works; a form from the pages\' own origin is refused as before', async () => {
    const ok = await send('POST', '/rpc', { 'content-type': 'application/json', authorization: `Bearer ${t.agent.credential}` }, RPC)
    expect(ok.status).toBe(200)
    const form = await send('POST', '/rpc', { 'content-type': 'application/x-www-form-urlencoded', origin: t.origin }, 'a=1')
    expect(form.status).toBe(403)
    expect(JSON.parse(form.body)).toMatchObject({ error: { data: { reason: 'origin-not-allowed' } } })
    const plain = await send('POST', '/rpc', { 'content-type': 'text/plain' }, RPC)
    expect(plain.status).toBe(415)
    expect((await send('GET', '/health')).status).toBe(200)
  })

  it('a JSON-RPC call sent to a /ui path meets the pages\' guard, which takes forms only', async () => {
    const res = await send('POST', '/ui/rpc', { 'content-type': 'application/json', origin: t.origin, authorization: `Bearer ${t.agent.credential}` }, RPC)
    expect(res.status).toBe(415)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
  })

  it('the local credential opens no page: pages need a one-time link', async () => {
    const res = await send('GET', '/ui/admin/status', { authorization: `Bearer ${t.agent.credential}` })
    expect(res.status).toBe(403)
  })

  it('encoded and dotted paths the router takes for /ui get the pages\' guard (cross-site refused)', async () => {
    for (const path of ['/%75i/open?t=x', '/ui/%6fpen?t=x', '/x/../ui/open?t=x', '/ui/./open?t=x']) {
      const res = await send('GET', path, { 'sec-fetch-site': 'cross-site' })
      expect(res.status, path).toBe(403)
      expect(res.headers['content-security-policy'], path).toContain("frame-ancestors 'none'")
    }
  })

  it('paths that only look like /ui are the API\'s: a JSON 404', async () => {
    for (const path of ['/UI/open', '/ui%2fopen', '//ui/open', '/uiopen']) {
      const res = await send('GET', path)
      expect(res.status, path).toBe(404)
      expect(res.headers['content-type'], path).toMatch(/^application\/json/)
    }
  })

  it('every /ui answer carries the security headers, a 404 too', async () => {
    const res = await send('GET', '/ui/nothing')
    expect(res.status).toBe(404)
    expect(res.headers).toMatchObject({
      'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
  })

  it('the stylesheet and icon are served to the pages only (no cross-site hotlinking)', async () => {
    expect((await send('GET', '/ui/style.css')).headers['content-type']).toMatch(/^text\/css/)
    expect((await send('GET', '/ui/icon.png', { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' })).status).toBe(403)
  })
})
