import type { Browser, Page, Request as PwRequest, Response as PwResponse } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { launchChromium, serveAttackerSite, type AttackerSite } from '../helpers/browser.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T1: a web page in the user's browser fires cross-site "simple" requests at the agent's
// port (NexU processed them). Real headless Chromium loads a page of ANOTHER origin (another port
// on 127.0.0.1, so Chrome's local-network rules let the requests through and the agent alone has
// to refuse them) and attacks /rpc with everything a page can send without a preflight.

/** Every request Chromium sent to the agent's port, and what became of it. */
interface Seen {
  method: string
  path: string
  type: string
  status?: number
  allowOrigin?: string | undefined
  failure?: string
}
const seen = new Map<PwRequest, Seen>()
const summary = (type: string) =>
  [...seen.values()].filter((s) => s.type === type).map((s) => `${s.method} ${s.path} ${s.status ?? '-'}${s.failure ? ` ${s.failure}` : ''}`)
let t: TestAgent
let site: AttackerSite
let browser: Browser
let page: Page
let pageResults: Record<string, string>

// JSON smuggled in form fields: the text/plain body `name=value\r\n` is one valid JSON object
// (the '=' lands in the "pad" string), the url-encoded one its encoded form. Each would raise a
// prompt if it ever reached dispatch.
const PAIR_JSON = '{"jsonrpc":"2.0","method":"client.pair","params":{"name":"evil page"},"id":1}'
const LOGIN_JSON = '{"jsonrpc":"2.0","method":"session.login","params":{},"id":2}'

beforeAll(async () => {
  t = await startTestAgent()
  const agentUrl = t.agent.url
  site = await serveAttackerSite({
    '/': `<!doctype html><html><head><meta charset="utf-8"><title>cute cats</title></head><body>
<iframe name="sink-urlencoded"></iframe><iframe name="sink-plain"></iframe>
<form id="urlencoded" method="POST" action="${agentUrl}/rpc" target="sink-urlencoded" enctype="application/x-www-form-urlencoded">
  <input type="hidden" name='${PAIR_JSON.slice(0, -1)},"pad":"' value='"}'>
</form>
<form id="plain" method="POST" action="${agentUrl}/rpc" target="sink-plain" enctype="text/plain">
  <input type="hidden" name='${LOGIN_JSON.slice(0, -1)},"pad":"' value='"}'>
</form>
</body></html>`,
  })
  browser = await launchChromium()
  const context = await browser.newContext()
  page = await context.newPage()
  context.on('request', (req: PwRequest) => {
    const url = new URL(req.url())
    if (url.port === String(t.port)) seen.set(req, { method: req.method(), path: url.pathname, type: req.resourceType() })
  })
  context.on('response', (res: PwResponse) => {
    const entry = seen.get(res.request())
    if (entry) Object.assign(entry, { status: res.status(), allowOrigin: res.headers()['access-control-allow-origin'] })
  })
  context.on('requestfailed', (req: PwRequest) => {
    const entry = seen.get(req)
    if (entry) entry.failure = req.failure()?.errorText ?? 'failed'
  })
  await page.goto(`${site.origin}/`)
  expect(await page.evaluate(() => location.origin)).toBe(site.origin)

  // Everything runs in the attacker's page, with its origin.
  pageResults = await page.evaluate(async (agent: string) => {
    const results: Record<string, string> = {}
    const pair = JSON.stringify({ jsonrpc: '2.0', method: 'client.pair', params: { name: 'evil no-cors' }, id: 3 })
    const login = JSON.stringify({ jsonrpc: '2.0', method: 'session.login', params: {}, id: 4 })
    const settle = async (name: string, run: () => Promise<Response>) => {
      try {
        const res = await run()
        let body = ''
        try {
          body = await res.text()
        } catch {
          body = '(unreadable)'
        }
        results[name] = `resolved type=${res.type} status=${res.status} body=${body.slice(0, 80)}`
      } catch (err) {
        results[name] = `rejected ${(err as Error).name}`
      }
    }
    const frameLoaded = (name: string) =>
      new Promise<void>((resolve) => {
        const frame = document.querySelector(`iframe[name="${name}"]`) as HTMLIFrameElement
        frame.addEventListener('load', () => resolve(), { once: true })
      })
    const forms = Promise.all([frameLoaded('sink-urlencoded'), frameLoaded('sink-plain')])
    ;(document.getElementById('urlencoded') as HTMLFormElement).submit()
    ;(document.getElementById('plain') as HTMLFormElement).submit()
    await forms
    // no-cors: the browser sends it (text/plain; an application/json header is silently dropped)
    // and hands the page an opaque answer.
    await settle('noCorsPost', () => fetch(`${agent}/rpc`, { mode: 'no-cors', method: 'POST', body: pair }))
    await settle('noCorsPostJsonHeader', () => fetch(`${agent}/rpc`, { mode: 'no-cors', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: login }))
    // A real JSON request needs a preflight, which the agent refuses: fetch rejects.
    await settle('corsJson', () => fetch(`${agent}/rpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: login }))
    await settle('corsGetHealth', () => fetch(`${agent}/health`))
    for (const path of ['/rpc', '/health']) {
      results[`img ${path}`] = await new Promise<string>((resolve) => {
        const img = new Image()
        img.onload = () => resolve('load')
        img.onerror = () => resolve('error')
        img.src = `${agent}${path}?${Date.now()}`
      })
    }
    return results
  }, t.agent.url)
  // Playwright reports network events asynchronously: wait until each request has an outcome.
  await vi.waitFor(() => expect([...seen.values()].filter((s) => s.status !== undefined || s.failure !== undefined)).toHaveLength(8), { timeout: 5000 })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await site?.close()
  await t?.agent.close()
})

describe('T1: cross-site requests from a web page in real Chromium', () => {
  it('every attack reached the agent and was answered 403 (the browser did not block them for us)', () => {
    // The two forms navigate their frames to the agent's refusal.
    expect(summary('document')).toEqual(['POST /rpc 403', 'POST /rpc 403'])
    // fetch: the two no-cors POSTs were answered 403 (the page only gets an opaque answer); the
    // JSON POST and the readable GET died on the agent's refusal of their CORS checks.
    const fetches = summary('fetch')
    expect(fetches.filter((f) => f.startsWith('POST /rpc 403'))).toHaveLength(2)
    expect(fetches).toContain('POST /rpc - net::ERR_FAILED')
    expect(fetches).toContain('GET /health - net::ERR_FAILED')
    expect(fetches).toHaveLength(4)
    // Images: an answer came (JSON, not an image) and Chromium's ORB withheld it from the page.
    expect(summary('image').sort()).toEqual(['GET /health - net::ERR_BLOCKED_BY_ORB', 'GET /rpc - net::ERR_BLOCKED_BY_ORB'])
  })

  it('the agent answered none of them with an Access-Control-Allow-Origin header', () => {
    const answered = [...seen.values()].filter((s) => s.status !== undefined)
    expect(answered).toHaveLength(4)
    for (const a of answered) expect(a.allowOrigin, `${a.method} ${a.path}`).toBeUndefined()
  })

  it('page side: the JSON fetch and the readable GET reject; no-cors answers are opaque', () => {
    expect(pageResults.corsJson).toBe('rejected TypeError')
    expect(pageResults.corsGetHealth).toBe('rejected TypeError')
    expect(pageResults.noCorsPost).toBe('resolved type=opaque status=0 body=')
    expect(pageResults.noCorsPostJsonHeader).toBe('resolved type=opaque status=0 body=')
    // Not an image: nothing the page can use, and no side effect (no GET has one).
    expect(pageResults['img /rpc']).toBe('error')
    expect(pageResults['img /health']).toBe('error')
  })

  it('agent side: nothing reached dispatch — no prompt, no pairing, still signed out', async () => {
    expect(t.prompter.prompts).toEqual([])
    expect(t.prompter.pairings).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
    const local = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    expect((await local.call('session.status')).state).toBe('signed-out')
    expect((await local.call('client.list')).clients).toEqual([])
  })

  it('the privacy log shows each refusal, and no call of any method', async () => {
    const records = await t.agent.services.audit.list({ limit: 1000 })
    const rejected = records.filter((r) => r.event === 'rejected')
    // 2 forms, 2 no-cors POSTs, the CORS preflight (OPTIONS /rpc) and the CORS GET /health.
    expect(rejected.filter((r) => r.method === '/rpc' && r.errorCode === 'origin-not-allowed')).toHaveLength(5)
    expect(rejected.filter((r) => r.method === '/health' && r.errorCode === 'origin-not-allowed')).toHaveLength(1)
    expect(rejected.every((r) => r.outcome === 'rejected')).toBe(true)
    // Nothing was dispatched: no pairing, login or credential check was ever recorded.
    expect(records.filter((r) => r.event !== 'rejected')).toEqual([])
    expect(rejected.filter((r) => r.errorCode === 'ERR_UNAUTHORIZED')).toEqual([])
  })

  it('control: the same pairing request from a local program (no Origin) does reach the user', async () => {
    const anonymous = new AgentClient({ url: t.agent.url })
    await anonymous.call('client.pair', { name: 'local app' })
    expect(t.prompter.pairings.map((p) => p.client)).toEqual(['local app'])
  })
})
