/**
 * The bench's load generator: HTTP/1.1 keep-alive over raw `net` sockets with one request
 * serialized once (request line, headers, body) and written as-is, and a response parser that
 * only finds the end of the headers, the status and the body length (Content-Length, or chunked
 * framing, RFC 9112 §6 and §7.1). It shares the machine's cores with the agent it measures, so it
 * must cost far less per request than the agent does: no node:http client objects, no parsing of
 * headers it does not need, nothing allocated outside V8's heap per request (answers are read
 * into one buffer per connection and not kept).
 *
 * Closed loop (`runClosedLoop`): N connections, each sends its next request when the previous
 * answer arrived (the peak rate). Open loop (`runOpenLoop`): requests start on a fixed schedule
 * whatever the answers do; a request's latency counts from the time it was due, not from when a
 * connection became free, so a stall is not hidden by the generator waiting for it (the
 * "coordinated omission" a closed loop has).
 */
import { connect, type Socket } from 'node:net'
import { createResponseReader } from './response-reader.js'

/** One request, serialized once. */
export function serializeRequest(options: { port: number; path: string; headers: Record<string, string>; body: Buffer }): Buffer {
  const head =
    `POST ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\nConnection: keep-alive\r\n` +
    Object.entries(options.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    `Content-Length: ${options.body.length}\r\n\r\n`
  return Buffer.concat([Buffer.from(head, 'latin1'), options.body])
}

/** A `soap.sign` call of `envelope` to `path` (/rpc), with the agent's local credential when given. */
export function soapSignRequest(port: number, envelope: string, credential?: string, path = '/rpc'): Buffer {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (credential !== undefined) headers.Authorization = `Bearer ${credential}`
  return serializeRequest({ port, path, headers, body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope } })) })
}

/** What a run measured. Latencies in milliseconds, sorted. */
export interface LoadResult {
  count: number
  seconds: number
  latencies: Float64Array
}

/** A keep-alive connection that answers one request at a time. */
interface Conn {
  socket: Socket
  send(request: Buffer): Promise<void>
}

/** Bytes one read may bring, per connection: a buffer of its own that every read reuses. */
const READ_BUFFER_BYTES = 64 * 1024

/**
 * Open a connection that sends a request and resolves when its full answer arrived, refusing
 * any answer that is not `200` with a body containing `okMarker`. Reads go into one buffer per
 * connection (`onread`), so answers allocate nothing outside V8's heap (response-reader.ts says
 * why that matters).
 */
function openConnection(port: number, okMarker: Buffer): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let pending: { resolve: () => void; reject: (err: Error) => void } | undefined
    const fail = (err: Error) => {
      const p = pending
      pending = undefined
      p?.reject(err)
    }
    const feed = createResponseReader(okMarker, (response) => {
      const p = pending
      pending = undefined
      if (!p) return
      if (response.status !== 200 || !response.hasMarker) p.reject(new Error(`HTTP ${response.status}: ${response.bodyStart}`))
      else p.resolve()
    })
    const socket = connect({
      port,
      host: '127.0.0.1',
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (bytes: number, buffer: Uint8Array) => {
          try {
            feed(buffer as Buffer, 0, bytes)
          } catch (err) {
            fail(err as Error)
            socket.destroy()
          }
          return true
        },
      },
    })
    socket.on('error', (err) => fail(err))
    socket.on('close', () => fail(new Error('the agent closed the connection')))
    socket.once('connect', () =>
      resolve({
        socket,
        send: (request) =>
          new Promise<void>((res, rej) => {
            // A connection the agent closed while it sat idle answers nothing: say so at once.
            if (socket.destroyed) return rej(new Error('the agent closed the connection'))
            pending = { resolve: res, reject: rej }
            socket.write(request)
          }),
      }),
    )
    socket.once('error', reject)
  })
}

function sortLatencies(list: number[]): Float64Array {
  const a = Float64Array.from(list)
  a.sort()
  return a
}

/** The p-th quantile (0..1) of sorted latencies. */
export function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

/** `concurrency` connections, each sending the next request as soon as its answer is in. */
export async function runClosedLoop(options: { port: number; request: Buffer; okMarker: Buffer; concurrency: number; seconds: number }): Promise<LoadResult> {
  const conns = await Promise.all(Array.from({ length: options.concurrency }, () => openConnection(options.port, options.okMarker)))
  const latencies: number[] = []
  const t0 = performance.now()
  const end = t0 + options.seconds * 1000
  try {
    await Promise.all(
      conns.map(async (conn) => {
        while (performance.now() < end) {
          const t = performance.now()
          await conn.send(options.request)
          latencies.push(performance.now() - t)
        }
      }),
    )
  } finally {
    for (const c of conns) c.socket.destroy()
  }
  return { count: latencies.length, seconds: (performance.now() - t0) / 1000, latencies: sortLatencies(latencies) }
}

/**
 * Requests due at `ratePerSec` for `seconds`, sent over at most `maxConnections` connections
 * (opened up front); a request waits for a free connection if all are busy, and its latency
 * counts from the time it was due. Each connection carries one request before the clock starts,
 * as a load generator's connections are established before it measures (wrk2 does the same):
 * what a fresh connection costs the agent (the caller lookup) is measured on its own by the
 * bench. Free connections are taken oldest first, so every one stays in use well inside Node's
 * 5 s keep-alive timeout.
 */
export async function runOpenLoop(options: { port: number; request: Buffer; okMarker: Buffer; ratePerSec: number; seconds: number; maxConnections: number }): Promise<LoadResult> {
  const conns = await Promise.all(Array.from({ length: options.maxConnections }, () => openConnection(options.port, options.okMarker)))
  await Promise.all(conns.map((c) => c.send(options.request)))
  const idle = [...conns]
  const waiting: number[] = [] // due times of requests waiting for a connection
  const latencies: number[] = []
  const interval = 1000 / options.ratePerSec
  const total = Math.floor(options.ratePerSec * options.seconds)
  let sent = 0
  let done = 0
  let failure: Error | undefined
  const t0 = performance.now()

  return new Promise<LoadResult>((resolve, reject) => {
    const finish = () => {
      clearInterval(timer)
      for (const c of conns) c.socket.destroy()
      if (failure) reject(failure)
      else resolve({ count: latencies.length, seconds: (performance.now() - t0) / 1000, latencies: sortLatencies(latencies) })
    }
    const start = (conn: Conn, due: number) => {
      conn.send(options.request).then(
        () => {
          latencies.push(performance.now() - due)
          done++
          const next = waiting.shift()
          if (next !== undefined) start(conn, next)
          else idle.push(conn)
          if (done === total) finish()
        },
        (err: Error) => {
          failure ??= err
          done++
          if (done === total) finish()
        },
      )
    }
    // A 1 ms tick sends every request that has come due since the last one.
    const tick = () => {
      const now = performance.now()
      while (sent < total && t0 + sent * interval <= now) {
        const due = t0 + sent * interval
        sent++
        const conn = idle.shift()
        if (conn) start(conn, due)
        else waiting.push(due)
      }
    }
    const timer = setInterval(tick, 1)
    tick()
  })
}
