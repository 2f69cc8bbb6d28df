import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serializeRequest } from './load-client.js'
import { startLoadGenerator } from './load-generator-process.js'

const okMarker = Buffer.from('"result"')

describe('the load generator process', () => {
  let server: Server
  let port: number
  let answered = 0
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        answered++
        const refuse = req.url === '/refuse'
        res.writeHead(refuse ? 403 : 200, { 'content-type': 'application/json' })
        res.end(refuse ? '{"error":{"message":"not allowed"}}' : '{"result":1}')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const request = (path: string) => serializeRequest({ port, path, headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{}') })

  it('runs closed and open loads in the child and reports what the server answered, with its CPU time', async () => {
    const load = await startLoadGenerator()
    try {
      const before = answered
      const closed = await load.closed({ port, request: request('/'), okMarker, concurrency: 4, seconds: 0.3 })
      expect(closed.count).toBeGreaterThan(10)
      expect(answered - before).toBeGreaterThanOrEqual(closed.count)
      expect(closed.latencies.length).toBe(closed.count)
      expect(closed.cpuUs).toBeGreaterThan(0)
      const open = await load.open({ port, request: request('/'), okMarker, ratePerSec: 200, seconds: 0.5, maxConnections: 4 })
      expect(open.count).toBe(100)
      // A refused answer fails the load with the server's words, and the generator goes on.
      await expect(load.closed({ port, request: request('/refuse'), okMarker, concurrency: 1, seconds: 0.2 })).rejects.toThrow(/HTTP 403: .*not allowed/)
      expect((await load.closed({ port, request: request('/'), okMarker, concurrency: 1, seconds: 0.1 })).count).toBeGreaterThan(0)
    } finally {
      await load.stop()
    }
  })

  it('says so when the child has gone, instead of taking the bench down', async () => {
    const load = await startLoadGenerator()
    process.kill(load.pid, 'SIGKILL')
    await new Promise((r) => setTimeout(r, 300))
    await expect(load.closed({ port, request: request('/'), okMarker, concurrency: 1, seconds: 0.1 })).rejects.toThrow(/load generator has exited/)
    await load.stop()
  })
})
