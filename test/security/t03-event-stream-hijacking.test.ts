import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from '../helpers/http-send.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T3, cross-site hijacking of a stream (WebSocket then, the status event stream here):
// GET /events goes through the same Origin/Host checks as /rpc, and needs the credential. The
// same refusal seen by a web page in real Chromium is in t03-event-stream-hijacking.system.test.ts.

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
