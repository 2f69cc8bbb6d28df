import { createServer, type Server } from 'node:http'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from '../../test/helpers/http-send.js'
import { lazyHonoListener } from './hono-listener.js'

// The hono app is built and loaded at the first request that reaches it, once, whatever comes
// meanwhile; a build that fails is answered with a JSON-RPC internal error and tried again later.

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  server = undefined
})

async function serve(build: () => Promise<Hono>, onMalformed: () => void = () => undefined): Promise<number> {
  server = createServer({ requireHostHeader: false }, lazyHonoListener(build, onMalformed))
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

function app(): Hono {
  const a = new Hono()
  a.get('/x', (c) => c.text('x'))
  a.post('/echo', async (c) => c.text(await c.req.text()))
  return a
}

describe('lazyHonoListener', () => {
  it('builds the app at the first request, once for requests that arrive together, and serves them all, bodies included', async () => {
    let builds = 0
    const port = await serve(async () => {
      builds++
      await new Promise((r) => setTimeout(r, 50))
      return app()
    })
    expect(builds).toBe(0)
    const answers = await Promise.all([
      send({ port }, 'GET', '/x', { host: 'h' }),
      send({ port }, 'POST', '/echo', { host: 'h' }, ['a', 'b', 'c']),
      send({ port }, 'GET', '/x', { host: 'h' }),
    ])
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [200, 'x'],
      [200, 'abc'],
      [200, 'x'],
    ])
    expect(builds).toBe(1)
  })

  it('answers a failed build with a JSON-RPC internal error, and builds again at the next request', async () => {
    let builds = 0
    const port = await serve(async () => {
      builds++
      if (builds === 1) throw new Error('cannot load')
      return app()
    })
    const failed = await send({ port }, 'GET', '/x', { host: 'h' })
    expect(failed.status).toBe(500)
    expect(JSON.parse(failed.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { data: { code: 'ERR_INTERNAL' } } })
    expect(failed.body).not.toContain('cannot load')
    const ok = await send({ port }, 'GET', '/x', { host: 'h' })
    expect([ok.status, ok.body]).toEqual([200, 'x'])
    expect(builds).toBe(2)
  })

  it('refuses a request with no Host as malformed, tells onMalformed, and never reaches the app', async () => {
    let malformed = 0
    const port = await serve(async () => app(), () => malformed++)
    const res = await send({ port }, 'GET', '/x', {})
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ error: { data: { code: 'ERR_INVALID_REQUEST', reason: 'malformed-request' } } })
    expect(malformed).toBe(1)
  })
})
