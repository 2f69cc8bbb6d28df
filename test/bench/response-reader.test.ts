import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createResponseReader, type ReadResponse } from './response-reader.js'

const MARKER = Buffer.from('"result"')
const LEFTOVER = Buffer.from('"result"\r\n\r\n0\r\n\r\n')

/** Feed `bytes` cut at the given offsets; the responses read. */
function readAll(bytes: Buffer, cuts: number[] = []): ReadResponse[] {
  const out: ReadResponse[] = []
  const feed = createResponseReader(MARKER, (r) => out.push(r))
  let at = 0
  for (const cut of [...cuts, bytes.length]) {
    // Each piece in a buffer of its own with other bytes around it, as a reused read buffer has:
    // bytes a reader looking past the end of its piece would take for a marker, a line end or
    // the end of a head.
    const piece = Buffer.concat([LEFTOVER, bytes.subarray(at, cut), LEFTOVER])
    feed(piece, LEFTOVER.length, piece.length - LEFTOVER.length)
    at = cut
  }
  return out
}

/**
 * The raw bytes a real node:http server sends for requests on one keep-alive connection: the
 * last request asks the server to close, so the bytes are complete when the connection ends.
 */
async function rawAnswers(server: Server, paths: string[]): Promise<Buffer> {
  const port = (server.address() as { port: number }).port
  const socket = connect({ port, host: '127.0.0.1' })
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  paths.forEach((path, i) => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${i === paths.length - 1 ? 'Connection: close\r\n' : ''}\r\n`))
  await new Promise((resolve) => socket.once('close', resolve))
  return Buffer.concat(chunks)
}

describe('the load generator response reader', () => {
  let server: Server
  let fixed: Buffer
  let chunked: Buffer
  let refused: Buffer
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { envelope: 'é'.repeat(3000) } })
      if (req.url === '/fixed') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        res.end(body)
      } else if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'application/json' })
        // `"result"` is at body offsets 24-31: the first chunk ends inside it.
        res.write(body.slice(0, 28))
        res.write(body.slice(28, 40))
        res.end(body.slice(40))
      } else {
        res.writeHead(403, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32001, message: 'not allowed' } }))
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    fixed = await rawAnswers(server, ['/fixed', '/fixed'])
    chunked = await rawAnswers(server, ['/chunked'])
    refused = await rawAnswers(server, ['/refused'])
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('reads Content-Length answers back to back, in one piece and cut at every offset', () => {
    expect(chunked.toString('latin1')).toMatch(/transfer-encoding: chunked/i)
    expect(chunked.toString('latin1')).toContain('\r\n1c\r\n{"jsonrpc":"2.0","id":1,"res\r\nc\r\nult"') // the marker cut by the chunk framing
    expect(readAll(fixed).map((r) => [r.status, r.hasMarker])).toEqual([
      [200, true],
      [200, true],
    ])
    for (let cut = 1; cut < fixed.length; cut++) {
      const read = readAll(fixed, [cut])
      expect(read.map((r) => [r.status, r.hasMarker]), `cut at ${cut}`).toEqual([
        [200, true],
        [200, true],
      ])
    }
  })

  it('reads a chunked answer whose marker straddles chunks, cut at every offset', () => {
    for (let cut = 1; cut < chunked.length; cut++) {
      const read = readAll(chunked, [cut, Math.min(chunked.length, cut + 5)])
      expect(read.map((r) => [r.status, r.hasMarker]), `cut at ${cut}`).toEqual([[200, true]])
    }
  })

  it('finds a marker cut across three pieces, and one cut byte by byte', () => {
    const body = '{"jsonrpc":"2.0","id":1,"result":1}'
    const bytes = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    const at = bytes.indexOf(MARKER)
    expect(readAll(bytes, [at + 2, at + 4, at + 6])[0]!.hasMarker).toBe(true)
    expect(readAll(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))[0]!.hasMarker).toBe(true)
  })

  it('says when the marker is missing, with the status and the body start', () => {
    const [r] = readAll(refused, [30])
    expect(r).toMatchObject({ status: 403, hasMarker: false })
    expect(r!.bodyStart).toContain('not allowed')
    const body = '{"jsonrpc":"2.0","id":1,"resul":"t"}'
    const near = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    for (let cut = 1; cut < near.length; cut++) expect(readAll(near, [cut])[0]!.hasMarker, `cut at ${cut}`).toBe(false)
  })

  it('does not count bytes of the next answer as this body', () => {
    const first = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnone')
    const second = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n"result"')
    expect(readAll(Buffer.concat([first, second])).map((r) => r.hasMarker)).toEqual([false, true])
  })

  it('throws on bytes that are not an HTTP response and on unframed answers', () => {
    expect(() => readAll(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/not an HTTP\/1.x response/)
    expect(() => readAll(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc'))).toThrow(/neither Content-Length nor chunked/)
    expect(() => readAll(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/bad chunk size/)
  })
})
