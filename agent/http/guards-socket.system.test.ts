import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdaptorServer, serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from '../../test/helpers/http-send.js'
import { curl, ensureUser, OTHER_USER } from '../../test/helpers/system-tools.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { requestGuards, type GuardOptions } from './guards.js'
import { lookupPeerUid } from './peer-uid.js'

// The guards through real sockets: a DNS-rebinding request (T2) with node:http and with curl,
// the listener's address (T12), the Unix socket, a streamed over-large body (T18), and another
// Linux user on the same loopback (T5).

const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'
const MAX_BODY = 1024
const RPC = '{"jsonrpc":"2.0","method":"agent.status","id":1}'

type Rejection = Parameters<NonNullable<GuardOptions['onRejected']>>[0]

interface Guarded {
  server: Server
  port: number
  rejected: Rejection[]
  handled: string[]
  /** Every uid lookupPeerUid found, in order. */
  uids: (number | undefined)[]
}

/**
 * The guards and a dummy POST /rpc and GET /health behind a real listener. The app is built once
 * the port is known, because the Host allowlist names it.
 */
async function startGuarded(listen: (fetch: Fetch) => Promise<{ server: Server; port: number }>, withPeerUid: boolean): Promise<Guarded> {
  let app: Hono | undefined
  const { server, port } = await listen((req, env) => app!.fetch(req, env))
  const guarded: Guarded = { server, port, rejected: [], handled: [], uids: [] }
  app = new Hono()
  const options: GuardOptions = { port, allowedOrigins: [EXTENSION], maxBodyBytes: MAX_BODY, onRejected: (info) => guarded.rejected.push(info) }
  if (withPeerUid) {
    options.peerUid = {
      agentUid: process.getuid!(),
      lookup: async (peer, localPort) => {
        const uid = await lookupPeerUid(peer, localPort)
        guarded.uids.push(uid)
        return uid
      },
    }
  }
  app.use('*', requestGuards(options))
  app.post('/rpc', async (c) => {
    const body = (await c.req.json()) as { id?: unknown }
    guarded.handled.push('rpc')
    return c.json({ jsonrpc: '2.0', result: 'ok', id: body.id ?? null })
  })
  app.get('/health', (c) => {
    guarded.handled.push('health')
    return c.json({ ok: true })
  })
  return guarded
}

type Fetch = (req: Request, env: unknown) => Response | Promise<Response>

/** `serve` from @hono/node-server on 127.0.0.1, port 0, as the agent does on its own port. */
function listenOnLoopback(fetch: Fetch): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve({ server, port: info.port })) as Server
    server.once('error', reject)
  })
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve()
    server.closeAllConnections()
    server.close(() => resolve())
  })
}

function errorOf(body: string): { code: number; data: Record<string, unknown> } {
  const parsed = JSON.parse(body) as { jsonrpc: string; id: unknown; error: { code: number; data: Record<string, unknown> } }
  expect(parsed.jsonrpc).toBe('2.0')
  expect(parsed.id).toBeNull()
  return parsed.error
}

const JSON_HEADERS = { 'content-type': 'application/json' }

beforeAll(() => {
  requireTool('curl', 'curl')
})

describe('guards on a real loopback listener', () => {
  let g: Guarded

  beforeAll(async () => {
    g = await startGuarded(listenOnLoopback, true)
  })
  afterAll(() => close(g?.server))

  it('T12: the listener is bound to 127.0.0.1 only, not a wildcard address', () => {
    const address = g.server.address() as AddressInfo
    expect(address.address).toBe('127.0.0.1')
    expect(address.family).toBe('IPv4')
  })

  it('answers a correct request (peer uid found for real and equal to ours)', async () => {
    const res = await send({ port: g.port }, 'POST', '/rpc', { host: `127.0.0.1:${g.port}`, ...JSON_HEADERS }, [RPC])
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', result: 'ok', id: 1 })
    expect(g.uids.at(-1)).toBe(process.getuid!())
    const health = await send({ port: g.port }, 'GET', '/health', { host: `localhost:${g.port}` })
    expect(health.status).toBe(200)
  })

  it('T2: a DNS-rebinding request (Host: evil.test:<port> sent to 127.0.0.1) is refused with 421', async () => {
    const before = g.handled.length
    const res = await send({ port: g.port }, 'POST', '/rpc', { host: `evil.test:${g.port}`, ...JSON_HEADERS }, [RPC])
    expect(res.status).toBe(421)
    expect(errorOf(res.body).data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'host-not-allowed' })
    expect(g.handled.length).toBe(before)
    expect(g.rejected.at(-1)).toMatchObject({ reason: 'host-not-allowed', path: '/rpc', host: `evil.test:${g.port}` })
    expect(g.rejected.at(-1)!.peer).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('T2: curl --resolve evil.test:<port>:127.0.0.1 http://evil.test:<port>/rpc is refused with 421', async () => {
    const before = g.handled.length
    const res = await curl(['--resolve', `evil.test:${g.port}:127.0.0.1`, '-H', 'Content-Type: application/json', '--data', RPC, `http://evil.test:${g.port}/rpc`])
    expect(res.status).toBe(421)
    expect(errorOf(res.body).data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'host-not-allowed' })
    expect(g.handled.length).toBe(before)
    // The same request by one of our names is answered: the refusal is the Host, nothing else.
    const ok = await curl(['-H', 'Content-Type: application/json', '--data', RPC, `http://127.0.0.1:${g.port}/rpc`])
    expect(ok.status).toBe(200)
  })

  it('T1: a simple cross-site request (text/plain form post with a web Origin) gets no answer to read', async () => {
    const form = await curl(['-H', 'Content-Type: text/plain', '--data', RPC, `http://127.0.0.1:${g.port}/rpc`])
    expect(form.status).toBe(415)
    const web = await curl(['-i', '-H', 'Origin: https://evil.test', '-H', 'Content-Type: application/json', '--data', RPC, `http://127.0.0.1:${g.port}/rpc`])
    expect(web.status).toBe(403)
    expect(web.body.toLowerCase()).not.toContain('access-control-allow-origin')
  })

  it('T18: refuses a chunked body once it passes maxBodyBytes, while streaming', async () => {
    const before = g.handled.length
    const chunks = ['{"jsonrpc":"2.0","method":"x","id":1,"pad":"', 'a'.repeat(600), 'a'.repeat(600), '"}']
    const res = await send({ port: g.port }, 'POST', '/rpc', { host: `127.0.0.1:${g.port}`, ...JSON_HEADERS }, chunks)
    expect(res.status).toBe(413)
    expect(errorOf(res.body).data).toMatchObject({ code: 'ERR_INVALID_REQUEST', reason: 'body-too-large', limit: MAX_BODY })
    expect(g.handled.length).toBe(before)
  })

  it('T18: refuses a body whose Content-Length is over maxBodyBytes', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', method: 'x', id: 1, pad: 'a'.repeat(2 * MAX_BODY) })
    const res = await curl(['-H', 'Content-Type: application/json', '--data', big, `http://127.0.0.1:${g.port}/rpc`])
    expect(res.status).toBe(413)
  })
})

describe('guards on a real Unix socket', () => {
  let g: Guarded
  let dir: string
  let socketPath: string

  beforeAll(async () => {
    // mkdtemp makes a 0700 directory; the socket itself is made 0600, as the agent does.
    dir = mkdtempSync(join(tmpdir(), 'ehagent-guards-'))
    socketPath = join(dir, 'agent.sock')
    g = await startGuarded(
      (fetch) =>
        new Promise((resolve, reject) => {
          const server = createAdaptorServer({ fetch }) as Server
          server.once('error', reject)
          server.listen(socketPath, () => {
            chmodSync(socketPath, 0o600)
            resolve({ server, port: 4752 })
          })
        }),
      true,
    )
  })
  afterAll(async () => {
    await close(g?.server)
    rmSync(dir, { recursive: true, force: true })
  })

  it('accepts a request with Host: localhost and no remote address (curl --unix-socket)', async () => {
    const res = await curl(['--unix-socket', socketPath, '-H', 'Content-Type: application/json', '--data', RPC, 'http://localhost/rpc'])
    expect(res.status).toBe(200)
    // No TCP, so no /proc lookup: the socket's file mode is the check.
    expect(g.uids).toEqual([])
  })

  it('refuses a foreign Host on the Unix socket too', async () => {
    const res = await send({ socketPath }, 'POST', '/rpc', { host: 'evil.test', ...JSON_HEADERS }, [RPC])
    expect(res.status).toBe(421)
    expect(g.rejected.at(-1)).toMatchObject({ reason: 'host-not-allowed', peer: 'unix' })
  })
})

describe('T5: another Linux user on the same loopback', () => {
  let g: Guarded
  let otherUid: number

  beforeAll(async () => {
    if (process.platform !== 'linux') throw new Error('T5 test: the peer-uid check reads /proc/net/tcp and needs Linux')
    if (process.getuid!() !== 0) {
      throw new Error(`T5 test: must run as root (uid 0, here ${process.getuid!()}) to create the second Linux user ${OTHER_USER}; CI runs the suite as root`)
    }
    requireTool('runuser', 'util-linux')
    otherUid = ensureUser(OTHER_USER)
    expect(otherUid).not.toBe(0)
    g = await startGuarded(listenOnLoopback, true)
  })
  afterAll(() => close(g?.server))

  it(`refuses ${OTHER_USER} with 403 and tells onRejected; root's identical request is answered`, async () => {
    const args = ['-H', 'Content-Type: application/json', '--data', RPC, `http://127.0.0.1:${g.port}/rpc`]
    const refused = await curl(args, OTHER_USER)
    expect(refused.status).toBe(403)
    expect(errorOf(refused.body).data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'peer-uid-mismatch' })
    expect(g.uids).toEqual([otherUid])
    expect(g.handled).toEqual([])
    expect(g.rejected).toHaveLength(1)
    expect(g.rejected[0]).toMatchObject({ reason: 'peer-uid-mismatch', path: '/rpc', host: `127.0.0.1:${g.port}` })
    expect(g.rejected[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/)

    const accepted = await curl(args)
    expect(accepted.status).toBe(200)
    expect(JSON.parse(accepted.body)).toEqual({ jsonrpc: '2.0', result: 'ok', id: 1 })
    expect(g.uids.at(-1)).toBe(0)
    expect(g.handled).toEqual(['rpc'])
  })

  it(`refuses ${OTHER_USER} on GET /health as well`, async () => {
    const res = await curl([`http://localhost:${g.port}/health`], OTHER_USER)
    expect(res.status).toBe(403)
    expect(g.rejected.at(-1)).toMatchObject({ reason: 'peer-uid-mismatch', path: '/health' })
  })
})
