import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { close, errorOf, listenOnLoopback, listenOnUnixSocket, MAX_BODY, RPC, startGuarded, type Guarded } from '../../test/helpers/guarded-server.js'
import { curl, ensureUser, OTHER_USER } from '../../test/helpers/system-tools.js'
import { requireTool } from '../../test/helpers/xmlsec.js'

// The guards through real sockets, as curl (an HTTP client we did not write) and another Linux
// user on the same loopback (T5) meet them. The same guards driven by node:http are in
// guards-socket.test.ts.

beforeAll(() => {
  requireTool('curl', 'curl')
})

describe('guards on a real loopback listener', () => {
  let g: Guarded

  beforeAll(async () => {
    g = await startGuarded(listenOnLoopback, true)
  })
  afterAll(() => close(g?.server))

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
    g = await startGuarded(listenOnUnixSocket(socketPath), true)
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
