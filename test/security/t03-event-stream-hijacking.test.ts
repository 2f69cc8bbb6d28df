import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, serveAttackerSite } from '../helpers/browser.js'
import { send } from '../helpers/http-send.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T3, cross-site hijacking of a stream (WebSocket then, the status event stream here):
// GET /events goes through the same Origin/Host checks as /rpc, and needs the credential.

let t: TestAgent

beforeAll(async () => {
  t = await startTestAgent()
})

afterAll(async () => {
  await t?.agent.close()
})

function events(headers: Record<string, string>) {
  return send({ port: t.port }, 'GET', '/events', { host: `127.0.0.1:${t.port}`, ...headers }, [], { timeoutMs: 5000 })
}

describe('T3: the status event stream', () => {
  it('a foreign Origin is refused with 403 even with the valid credential, and no stream is opened', async () => {
    for (const origin of ['https://evil.test', 'null', `http://127.0.0.1:${t.port + 1}`]) {
      const res = await events({ origin, authorization: `Bearer ${t.agent.credential}` })
      expect(res.status, origin).toBe(403)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { data: { code: 'ERR_UNAUTHORIZED', reason: 'origin-not-allowed' } } })
    }
  })

  it('without a credential (or with a wrong one) it is 401', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { authorization: t.agent.credential }]
    for (const headers of attempts) {
      const res = await events(headers)
      expect(res.status).toBe(401)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001, data: { code: 'ERR_UNAUTHORIZED' } } })
    }
  })

  it('a rebinding Host is refused with 421', async () => {
    const res = await send({ port: t.port }, 'GET', '/events', { host: `evil.test:${t.port}`, authorization: `Bearer ${t.agent.credential}` })
    expect(res.status).toBe(421)
  })

  it('an EventSource opened by a web page in real Chromium fails, refused by the agent', async () => {
    const site = await serveAttackerSite({ '/': '<!doctype html><title>x</title>' })
    const browser = await launchChromium()
    try {
      const page = await (await browser.newContext()).newPage()
      await page.goto(`${site.origin}/`)
      const originRefusals = async () =>
        (await t.agent.services.audit.list({ limit: 1000 })).filter((r) => r.event === 'rejected' && r.method === '/events' && r.errorCode === 'origin-not-allowed').length
      const before = await originRefusals()
      const outcome = await page.evaluate(
        (url: string) =>
          new Promise<string>((resolve) => {
            const source = new EventSource(url)
            source.onmessage = () => resolve('message')
            source.addEventListener('session', () => resolve('session event'))
            source.onerror = () => {
              resolve(`error readyState=${source.readyState}`)
              source.close()
            }
          }),
        `${t.agent.url}/events`,
      )
      // CLOSED (2): the browser gives up, it does not even retry a refused stream.
      expect(outcome).toBe('error readyState=2')
      expect(await originRefusals()).toBe(before + 1)
    } finally {
      await browser.close()
      await site.close()
    }
  })

  it('control: the same user\'s program with the credential and no Origin gets the stream', async () => {
    const controller = new AbortController()
    const res = await fetch(`${t.agent.url}/events`, { headers: { authorization: `Bearer ${t.agent.credential}` }, signal: controller.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = res.body!.getReader()
    let text = ''
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    expect(text).toMatch(/^event: session\ndata: \{"state":"signed-out"/)
  })
})
