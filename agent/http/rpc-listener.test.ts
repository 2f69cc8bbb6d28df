import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send, type Answer } from '../../test/helpers/http-send.js'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../../test/helpers/start-test-agent.js'
import type { RpcEndpoint } from './rpc-endpoint.js'
import type { DispatchResult } from './dispatch.js'
import type { GuardedRequest, GuardVerdict } from './guards.js'
import { createRpcListener } from './rpc-listener.js'

// The listener's direct POST /rpc path: which requests it answers itself and which it leaves to
// the hono app (unit part, with a stand-in endpoint), and, through a real agent, that both paths
// answer the same request the same way.

const MAX_BODY = 4096

interface Stand {
  server: Server
  port: number
  /** What the guard was asked, per request. */
  checked: { method: string; target: string | undefined; origin: string | undefined; host: string | undefined }[]
  /** Bodies and credentials the endpoint answered. */
  answered: { text: string; authorization: string | undefined }[]
  /** Requests the fallback (the hono app) got, with the body it could still read. */
  fellBack: { method: string; url: string; body: string }[]
  verdict: GuardVerdict
  result: DispatchResult
}

async function startStand(): Promise<Stand> {
  const stand = { checked: [], answered: [], fellBack: [], verdict: { kind: 'pass', corsOrigin: undefined }, result: { status: 200, payload: { jsonrpc: '2.0', result: 'ok', id: 1 } } } as unknown as Stand
  const endpoint: RpcEndpoint = {
    guard: {
      options: { port: 1, allowedOrigins: [], maxBodyBytes: MAX_BODY },
      check: async (request: GuardedRequest) => {
        stand.checked.push({ method: request.method, target: request.target, origin: request.header('origin'), host: request.header('host') })
        return stand.verdict
      },
      peerOf: async () => ({}),
    },
    admit: async () => ({ caller: undefined }),
    answered: () => stand.answered.length,
    answer: async (text, headers) => {
      stand.answered.push({ text, authorization: headers.authorization })
      return stand.result
    },
    internalError: () => ({ status: 500, payload: { jsonrpc: '2.0', error: { code: -32603, message: 'internal' }, id: null } }),
  }
  const fallback = (req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => (body += d))
    req.on('end', () => {
      stand.fellBack.push({ method: req.method!, url: req.url!, body })
      res.writeHead(299, { 'content-type': 'text/plain' })
      res.end('fallback')
    })
  }
  stand.server = createServer(createRpcListener(endpoint, fallback))
  await new Promise<void>((resolve) => stand.server.listen(0, '127.0.0.1', resolve))
  stand.port = (stand.server.address() as { port: number }).port
  return stand
}

const JSON_HEADERS = { host: 'x', 'content-type': 'application/json' }
const RPC = '{"jsonrpc":"2.0","method":"agent.status","id":1}'

/** POST /rpc with `body` framed by Content-Length (node:http would send it chunked otherwise). */
function post(port: number, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return send({ port }, 'POST', '/rpc', { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(body)), ...headers }, [body])
}

describe('createRpcListener: what it answers itself', () => {
  let s: Stand
  beforeAll(async () => {
    s = await startStand()
  })
  afterAll(async () => {
    s.server.closeAllConnections()
    await new Promise((resolve) => s.server.close(resolve))
  })
  const reset = () => {
    s.checked.length = 0
    s.answered.length = 0
    s.fellBack.length = 0
    s.verdict = { kind: 'pass', corsOrigin: undefined }
    s.result = { status: 200, payload: { jsonrpc: '2.0', result: 'ok', id: 1 } }
  }

  it('answers a passed POST /rpc with a Content-Length body: the endpoint\'s JSON, Content-Type and Content-Length, no CORS header', async () => {
    reset()
    const res = await post(s.port, RPC, { authorization: 'Bearer abc' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)))
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', result: 'ok', id: 1 })
    expect(s.answered).toEqual([{ text: RPC, authorization: 'Bearer abc' }])
    expect(s.fellBack).toEqual([])
  })

  it('adds the CORS headers of an allowed origin, answers 204 with no body for notifications, and the endpoint\'s status', async () => {
    reset()
    s.verdict = { kind: 'pass', corsOrigin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' }
    s.result = { status: 200, payload: undefined }
    const res = await post(s.port, RPC)
    expect(res.status).toBe(204)
    expect(res.body).toBe('')
    expect(res.headers['access-control-allow-origin']).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop')
    expect(res.headers.vary).toBe('Origin')
    s.verdict = { kind: 'pass', corsOrigin: undefined }
    s.result = { status: 401, payload: { jsonrpc: '2.0', error: { code: -32001, message: 'no' }, id: null } }
    const refused = await post(s.port, RPC)
    expect(refused.status).toBe(401)
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: -32001 } })
  })

  it('leaves every request the guard does not pass to the app, body unread', async () => {
    for (const verdict of [
      { kind: 'refuse', reason: 'host-not-allowed', corsOrigin: undefined },
      { kind: 'refuse', reason: 'content-type-not-json', corsOrigin: undefined },
      { kind: 'preflight', corsOrigin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' },
    ] as const) {
      reset()
      s.verdict = verdict
      const res = await post(s.port, RPC)
      expect(res.status, verdict.kind).toBe(299)
      expect(s.fellBack, verdict.kind).toEqual([{ method: 'POST', url: '/rpc', body: RPC }])
      expect(s.answered, verdict.kind).toEqual([])
    }
  })

  it('leaves a chunked body and one over the size limit to the app (its body limit counts them)', async () => {
    reset()
    const chunked = await send({ port: s.port }, 'POST', '/rpc', JSON_HEADERS, [RPC.slice(0, 10), RPC.slice(10)])
    expect(chunked.status).toBe(299)
    const big = 'x'.repeat(MAX_BODY + 1)
    const tooLarge = await send({ port: s.port }, 'POST', '/rpc', { ...JSON_HEADERS, 'content-length': String(big.length) }, [big])
    expect(tooLarge.status).toBe(299)
    expect(s.fellBack.map((f) => f.body)).toEqual([RPC, big])
    expect(s.answered).toEqual([])
  })

  it('answers GET /health itself when the guard passes it, and leaves a refused one to the app', async () => {
    reset()
    const res = await send({ port: s.port }, 'GET', '/health', { host: 'x' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', service: 'ehealth-agent' })
    expect(s.checked).toEqual([{ method: 'GET', target: '/health', origin: undefined, host: 'x' }])
    s.verdict = { kind: 'refuse', reason: 'peer-uid-mismatch', corsOrigin: undefined }
    expect((await send({ port: s.port }, 'GET', '/health', { host: 'x' })).status).toBe(299)
    expect(s.fellBack.map((f) => `${f.method} ${f.url}`)).toEqual(['GET /health'])
  })

  it('leaves other paths and methods to the app without asking the guard', async () => {
    reset()
    for (const [method, path] of [['GET', '/rpc'], ['POST', '/rpc/'], ['POST', '/rpc?x=1'], ['POST', '//rpc'], ['OPTIONS', '/rpc'], ['HEAD', '/health'], ['GET', '/health?x'], ['POST', '/health']]) {
      const res = await send({ port: s.port }, method!, path!, JSON_HEADERS, method === 'POST' ? [RPC] : [])
      expect(res.status, `${method} ${path}`).toBe(299)
    }
    expect(s.checked).toEqual([])
    expect(s.answered).toEqual([])
  })

  it('gives the guard repeated header fields joined with ", " (as Fetch Headers.get does), so two Origins are not one allowed Origin', async () => {
    reset()
    const raw = `POST /rpc HTTP/1.1\r\nHost: x\r\nOrigin: chrome-extension://a\r\nOrigin: https://evil.test\r\nContent-Type: application/json\r\nContent-Length: ${RPC.length}\r\nConnection: close\r\n\r\n${RPC}`
    await rawExchange(s.port, raw)
    expect(s.checked).toEqual([{ method: 'POST', target: '/rpc', origin: 'chrome-extension://a, https://evil.test', host: 'x' }])
  })

  it('reads a body that arrives in many pieces, and drops a leading byte order mark as Fetch text() does', async () => {
    reset()
    const text = `{"jsonrpc":"2.0","method":"soap.sign","params":{"envelope":${JSON.stringify('é'.repeat(1500))}},"id":7}`
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
    const pieces = [bytes.subarray(0, 2), bytes.subarray(2, 1001), bytes.subarray(1001, 2500), bytes.subarray(2500)]
    const res = await send({ port: s.port }, 'POST', '/rpc', { ...JSON_HEADERS, 'content-length': String(bytes.length) }, pieces)
    expect(res.status).toBe(200)
    expect(s.answered.map((a) => a.text)).toEqual([text])
  })

  it('answers nothing for a body cut short by the client, and goes on serving', async () => {
    reset()
    const raw = `POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"`
    await rawExchange(s.port, raw, { endEarly: true })
    await new Promise((r) => setTimeout(r, 50))
    expect(s.answered).toEqual([])
    const res = await post(s.port, RPC)
    expect(res.status).toBe(200)
    expect(s.answered).toHaveLength(1)
  })
})

/** Write `raw` on a fresh connection; resolve with what came back once the server closes (or at once with endEarly). */
function rawExchange(port: number, raw: string, options: { endEarly?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.write(raw)
      if (options.endEarly) socket.end()
    })
    let got = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => (got += d))
    socket.on('close', () => resolve(got))
    socket.on('error', reject)
  })
}

describe('through a real agent: the direct path and the hono path answer alike', () => {
  const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop'
  let t: TestAgent
  let credential: string
  beforeAll(async () => {
    t = await startTestAgent({ config: { allowedExtensionIds: [EXTENSION_ID] } })
    credential = readFileSync(join(t.stateDir, 'run', 'credential'), 'utf8').trim()
  })
  afterAll(async () => {
    await t?.agent.close()
  })

  /** The same request with a Content-Length (direct path) and chunked (the hono app's path). */
  async function both(body: string, headers: Record<string, string> = {}): Promise<[Answer, Answer]> {
    const h = { host: `127.0.0.1:${t.port}`, 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...headers }
    const direct = await send({ port: t.port }, 'POST', '/rpc', { ...h, 'content-length': String(Buffer.byteLength(body)) }, [body])
    const half = Math.floor(body.length / 2)
    const viaHono = await send({ port: t.port }, 'POST', '/rpc', h, [body.slice(0, half), body.slice(half)])
    return [direct, viaHono]
  }

  function same(a: Answer, b: Answer): void {
    expect(a.status).toBe(b.status)
    for (const name of ['access-control-allow-origin', 'vary', 'cache-control']) expect(a.headers[name], name).toEqual(b.headers[name])
    if (a.status !== 204) {
      expect(a.headers['content-type']).toBe(b.headers['content-type'])
      expect(JSON.parse(a.body)).toEqual(JSON.parse(b.body))
    } else expect(a.body).toBe(b.body)
  }

  it('for errors, batches, notifications and a missing credential', async () => {
    const cases: [string, Record<string, string>?][] = [
      ['{"jsonrpc":"2.0","method":"no.such","id":1}'],
      ['{"jsonrpc":"2.0","method":'],
      ['[]'],
      ['{"jsonrpc":"2.0","method":"profiles.list","id":"a"}'],
      ['[{"jsonrpc":"2.0","method":"profiles.list","id":1},{"jsonrpc":"2.0","method":"soap.sign","params":{"envelope":"<x/>","pin":"1"},"id":2}]'],
      ['{"jsonrpc":"2.0","method":"profiles.list"}'],
      ['\ufeff{"jsonrpc":"2.0","method":"profiles.list","id":3}'],
      ['{"jsonrpc":"2.0","method":"profiles.list","id":4}', { authorization: 'Bearer not-a-credential-of-ours' }],
      ['{"jsonrpc":"2.0","method":"profiles.list","id":5}', { origin: `chrome-extension://${EXTENSION_ID}` }],
      ['{"jsonrpc":"2.0","method":"soap.sign","params":{"envelope":"<a><b></a>"},"id":6}'],
    ]
    for (const [body, headers] of cases) {
      const [direct, viaHono] = await both(body, headers)
      same(direct, viaHono)
    }
  })

  it('for soap.sign: both sign the same envelope, with the same result fields', async () => {
    const envelope = makeEnvelope(2000)
    const [direct, viaHono] = await both(JSON.stringify({ jsonrpc: '2.0', method: 'soap.sign', params: { envelope }, id: 9 }))
    expect(direct.status).toBe(200)
    expect(viaHono.status).toBe(200)
    const a = JSON.parse(direct.body) as { result: { envelope: string; assertionId: string } }
    const b = JSON.parse(viaHono.body) as { result: { envelope: string; assertionId: string } }
    expect(Object.keys(a.result).sort()).toEqual(Object.keys(b.result).sort())
    expect(a.result.assertionId).toBe(b.result.assertionId)
    expect(a.result.envelope).toContain('<ds:SignatureValue>')
    expect(a.result.envelope).toContain(envelope.slice(envelope.indexOf('<urn:ConsultRequest'), envelope.indexOf('</soapenv:Body>')))
  })

  it('for GET /health, with and without an allowed extension Origin', async () => {
    for (const headers of [{}, { origin: `chrome-extension://${EXTENSION_ID}` }] as Record<string, string>[]) {
      const h = { host: `127.0.0.1:${t.port}`, ...headers }
      const direct = await send({ port: t.port }, 'GET', '/health', h)
      const viaHono = await send({ port: t.port }, 'GET', '/health?via=hono', h)
      expect(direct.status).toBe(200)
      same(direct, viaHono)
    }
  })

  it('a request the guards refuse is refused as before (the app answers it), e.g. a foreign Host or a web Origin', async () => {
    const body = '{"jsonrpc":"2.0","method":"profiles.list","id":1}'
    const [rebound, reboundViaHono] = await both(body, { host: `evil.test:${t.port}` })
    expect(rebound.status).toBe(421)
    same(rebound, reboundViaHono)
    const [web, webViaHono] = await both(body, { origin: 'https://evil.test' })
    expect(web.status).toBe(403)
    same(web, webViaHono)
  })
})
