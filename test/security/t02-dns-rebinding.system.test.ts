import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from '../helpers/http-send.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { curl } from '../helpers/system-tools.js'
import { requireTool } from '../helpers/xmlsec.js'

// Threat T2, DNS rebinding (Transmission, Zoom 2019): a page on evil.test makes its own name
// resolve to 127.0.0.1, so the browser sends `Host: evil.test:<port>` to the agent. curl
// --resolve does exactly that. The request even carries the valid local credential, to show the
// Host check alone refuses it.

let t: TestAgent
const LOGIN = '{"jsonrpc":"2.0","method":"session.login","params":{},"id":7}'

beforeAll(async () => {
  requireTool('curl', 'curl')
  t = await startTestAgent()
})

afterAll(async () => {
  await t?.agent.close()
})

function rpcArgs(url: string, extra: string[] = []): string[] {
  return ['-H', 'Content-Type: application/json', '-H', `Authorization: Bearer ${t.agent.credential}`, ...extra, '--data', LOGIN, url]
}

describe('T2: DNS rebinding against the real agent', () => {
  it('a credentialed session.login to http://evil.test:<port> (resolved to 127.0.0.1) is refused with 421, and nothing is done', async () => {
    const res = await curl(rpcArgs(`http://evil.test:${t.port}/rpc`, ['--resolve', `evil.test:${t.port}:127.0.0.1`]))
    expect(res.status).toBe(421)
    const body = JSON.parse(res.body) as { jsonrpc: string; id: unknown; error: { code: number; data: Record<string, unknown> } }
    expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001, data: { code: 'ERR_UNAUTHORIZED', reason: 'host-not-allowed' } } })
    expect(t.prompter.prompts).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it('look-alike names are refused too: a loopback name as a subdomain, another port, no port', async () => {
    const cases: [string, string][] = [
      [`localhost.evil.test`, `http://localhost.evil.test:${t.port}/rpc`],
      [`127.0.0.1.nip.io`, `http://127.0.0.1.nip.io:${t.port}/rpc`],
    ]
    for (const [name, url] of cases) {
      const res = await curl(rpcArgs(url, ['--resolve', `${name}:${t.port}:127.0.0.1`]))
      expect(res.status, name).toBe(421)
    }
    // Host headers a rebinding page can make the browser send with the right address.
    for (const host of [`127.0.0.1:${t.port + 1}`, '127.0.0.1', 'localhost', `evil.test:${t.port}`]) {
      const res = await curl(rpcArgs(`http://127.0.0.1:${t.port}/rpc`, ['-H', `Host: ${host}`]))
      expect(res.status, host).toBe(421)
    }
    // GET /health carries no secret, and is still not answered under a foreign name.
    const health = await curl(['--resolve', `evil.test:${t.port}:127.0.0.1`, `http://evil.test:${t.port}/health`])
    expect(health.status).toBe(421)
    expect(t.prompter.prompts).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it('the privacy log records every refusal as host-not-allowed, and no login', async () => {
    const records = await t.agent.services.audit.list({ limit: 100 })
    expect(records.filter((r) => r.event === 'rejected' && r.errorCode === 'host-not-allowed')).toHaveLength(8)
    expect(records.filter((r) => r.event !== 'rejected')).toEqual([])
  })

  it('a missing Host, or one that is no host name at all, gets a JSON-RPC refusal that is audited too', async () => {
    // These never become a URL, so the HTTP adapter refuses them before the guards run.
    const cases: [string, Record<string, string>, string][] = [
      ['no Host', {}, '/rpc'],
      ['Host evil.test<x>', { host: `evil.test<x>:${t.port}` }, '/rpc'],
      ['Host with a path', { host: `127.0.0.1:${t.port}/x` }, '/rpc'],
      ['backslash path', { host: `127.0.0.1:${t.port}` }, '/rpc\\..\\x'],
    ]
    const before = (await t.agent.services.audit.list({ limit: 1000 })).length
    for (const [what, headers, path] of cases) {
      const res = await send({ port: t.port }, 'POST', path, { 'content-type': 'application/json', authorization: `Bearer ${t.agent.credential}`, ...headers }, [LOGIN])
      expect(res.status, what).toBe(400)
      expect(res.headers['content-type'], what).toMatch(/^application\/json/)
      expect(JSON.parse(res.body), what).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, data: { code: 'ERR_INVALID_REQUEST', reason: 'malformed-request' } } })
    }
    const records = await t.agent.services.audit.list({ limit: 1000 })
    expect(records.length - before).toBe(cases.length)
    expect(records.slice(0, cases.length).every((r) => r.event === 'rejected' && r.errorCode === 'malformed-request')).toBe(true)
    expect(t.prompter.prompts).toEqual([])
  })

  it('control: the identical request by the agent\'s own name signs in, after exactly one prompt', async () => {
    const res = await curl(rpcArgs(`http://127.0.0.1:${t.port}/rpc`))
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', id: 7, result: { state: 'signed-in' } })
    expect(t.prompter.prompts).toHaveLength(1)
    expect(t.agent.services.session.current()).toBeDefined()
  })
})
