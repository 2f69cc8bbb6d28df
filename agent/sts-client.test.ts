import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createHttpClient } from './net/http-client.js'
import { createSoapPoster, STS_ACTIONS } from './sts-client.js'

const DUPLICATE_CLAIM_FAULT = readFileSync(new URL('../test/fixtures/sts-duplicate-claim-fault.xml', import.meta.url), 'utf8')
const OK = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ok/></s:Body></s:Envelope>'

let server: Server | undefined
const http = createHttpClient()
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())))
afterAll(() => http.close())

/** A real loopback server answering from a script of (status, body, headers) replies; counts requests. */
async function scripted(replies: [number, string, Record<string, string>?][]): Promise<{ url: string; count: () => number; headers: () => Record<string, unknown>[] }> {
  let n = 0
  const seen: Record<string, unknown>[] = []
  server = createServer((req, res) => {
    seen.push(req.headers)
    const [status, body, headers] = replies[Math.min(n++, replies.length - 1)]!
    req.resume()
    req.on('end', () => res.writeHead(status, { 'Content-Type': 'text/xml', ...headers }).end(body))
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  const port = (server!.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}/IAM/SecurityTokenService/v1`, count: () => n, headers: () => seen }
}

function poster(delays: number[] = []) {
  return createSoapPoster({ transport: http.request, sleep: async (ms) => void delays.push(ms), random: () => 0.5, timeoutMs: 2000 })
}

describe('createSoapPoster', () => {
  it('retries a 503 and then succeeds, with exponential back-off and jitter', async () => {
    const s = await scripted([[503, 'busy'], [503, 'busy'], [200, OK]])
    const delays: number[] = []
    await expect(poster(delays)(s.url, OK, STS_ACTIONS.issue, 'sts')).resolves.toBe(OK)
    expect(s.count()).toBe(3)
    expect(delays).toEqual([375, 750])
    expect(s.headers()[0]).toMatchObject({ soapaction: `"${STS_ACTIONS.issue}"`, 'content-type': 'text/xml; charset=utf-8' })
  })

  it('surfaces a BusinessError at once with eHealth code, messages and environment, without retrying', async () => {
    const s = await scripted([[500, DUPLICATE_CLAIM_FAULT]])
    const err = await poster()(s.url, OK, STS_ACTIONS.issue, 'sts').catch((e) => e)
    expect(s.count()).toBe(1)
    expect(err.code).toBe('ERR_STS_REJECTED')
    expect(err.data.ehealth).toMatchObject({ code: 'wst:InvalidRequest', environment: 'Integration' })
    expect(err.data.ehealth.messages[1]).toMatch(/multiple times found/)
  })

  it('does not retry a 4xx', async () => {
    const s = await scripted([[404, 'not found'], [200, OK]])
    await expect(poster()(s.url, OK, STS_ACTIONS.issue, 'sts')).rejects.toMatchObject({ code: 'ERR_REMOTE_PROTOCOL' })
    expect(s.count()).toBe(1)
  })

  it('gives up after three 5xx with ERR_UNAVAILABLE', async () => {
    const s = await scripted([[502, 'bad gateway']])
    await expect(poster()(s.url, OK, STS_ACTIONS.issue, 'sts')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(s.count()).toBe(3)
  })

  it('retries a refused connection and reports ERR_NETWORK', async () => {
    const delays: number[] = []
    await expect(poster(delays)('http://127.0.0.1:1/sts', OK, STS_ACTIONS.issue, 'sts')).rejects.toMatchObject({ code: 'ERR_NETWORK' })
    expect(delays).toHaveLength(2)
  })

  it('turns a silent server into ERR_TIMEOUT', async () => {
    server = createServer(() => {})
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const p = createSoapPoster({ transport: http.request, sleep: async () => {}, random: () => 0, timeoutMs: 200, maxAttempts: 1 })
    await expect(p(url, OK, STS_ACTIONS.issue, 'sts')).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    server.closeAllConnections()
  })
})

describe('createSoapPoster: Retry-After (RFC 9110 §10.2.3) within the call\'s deadline', () => {
  /** A poster on a fake clock: sleeping moves it, so the deadline counts the waits. */
  function timedPoster(options: { deadlineMs?: number; maxAttempts?: number } = {}) {
    const delays: number[] = []
    let now = Date.UTC(2026, 10, 23, 9, 0, 0)
    const post = createSoapPoster({
      transport: createHttpClient().request,
      sleep: async (ms) => {
        delays.push(ms)
        now += ms
      },
      now: () => now,
      random: () => 0.5,
      timeoutMs: 2000,
      ...options,
    })
    return { post, delays, now: () => now }
  }

  it('429 with Retry-After in seconds: waits that long, then succeeds', async () => {
    const s = await scripted([[429, 'slow down', { 'Retry-After': '2' }], [200, OK]])
    const p = timedPoster()
    await expect(p.post(s.url, OK, STS_ACTIONS.issue, 'sts')).resolves.toBe(OK)
    expect(p.delays).toEqual([2000])
    expect(s.count()).toBe(2)
  })

  it('429 with Retry-After as an HTTP-date: the wait is counted from the server\'s Date header', async () => {
    const serverNow = Date.UTC(2030, 0, 1, 12, 0, 0) // a server clock far from ours: only the difference counts
    const s = await scripted([
      [429, 'slow down', { Date: new Date(serverNow).toUTCString(), 'Retry-After': new Date(serverNow + 3000).toUTCString() }],
      [200, OK],
    ])
    const p = timedPoster()
    await expect(p.post(s.url, OK, STS_ACTIONS.issue, 'sts')).resolves.toBe(OK)
    expect(p.delays).toEqual([3000])
  })

  it('503 with Retry-After is honoured the same way', async () => {
    const s = await scripted([[503, 'maintenance', { 'Retry-After': '1' }], [200, OK]])
    const p = timedPoster()
    await expect(p.post(s.url, OK, STS_ACTIONS.issue, 'sts')).resolves.toBe(OK)
    expect(p.delays).toEqual([1000])
  })

  it('429 without Retry-After: the usual back-off', async () => {
    const s = await scripted([[429, 'slow down'], [200, OK]])
    const p = timedPoster()
    await expect(p.post(s.url, OK, STS_ACTIONS.issue, 'sts')).resolves.toBe(OK)
    expect(p.delays).toEqual([375])
  })

  it('a Retry-After beyond the deadline is not waited for: ERR_UNAVAILABLE at once, saying when to retry', async () => {
    const s = await scripted([[429, 'slow down', { 'Retry-After': '120' }], [200, OK]])
    const p = timedPoster({ deadlineMs: 60_000 })
    await expect(p.post(s.url, OK, STS_ACTIONS.issue, 'sts')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', data: { status: 429, retryAfterMs: 120_000 } })
    expect(p.delays).toEqual([])
    expect(s.count()).toBe(1)
  })

  it('the deadline bounds the retries: a second wait that would pass it is not taken', async () => {
    const s = await scripted([[503, 'busy', { 'Retry-After': '20' }]])
    const p = timedPoster({ deadlineMs: 30_000, maxAttempts: 5 })
    await expect(p.post(s.url, OK, STS_ACTIONS.issue, 'sts')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', data: { status: 503, retryAfterMs: 20_000 } })
    expect(p.delays).toEqual([20_000])
    expect(s.count()).toBe(2)
  })

  it('a malformed Retry-After is ignored (back-off instead), never an error of its own', async () => {
    const s = await scripted([[429, 'slow down', { 'Retry-After': 'soon' }], [200, OK]])
    const p = timedPoster()
    await expect(p.post(s.url, OK, STS_ACTIONS.issue, 'sts')).resolves.toBe(OK)
    expect(p.delays).toEqual([375])
  })
})
