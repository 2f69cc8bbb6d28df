/**
 * `POST /rpc` and `GET /health` straight from Node's request, in front of the hono app: the route
 * every signing client hits, served without the Fetch objects the adapter builds for hono (a
 * WHATWG Request with a web stream over the socket, an AbortController, Headers, a Response),
 * which cost more CPU per call than exclusive c14n of a 4 KB Body does; and the one a client or
 * the bench polls to see that the agent is up. An agent that only signs never loads hono.
 *
 * It takes only requests the app would pass through its guards unchanged: the exact target, the
 * API guard's verdict "pass" (the same guard instance as the hono middleware's, so the same rules
 * and the same per-connection peer-uid cache) and, for `/rpc`, a Content-Length within the limit
 * and no Transfer-Encoding. Everything else — a refusal, a preflight, a chunked or over-large
 * body, any other path or method — goes to the hono app untouched (nothing of the body has been
 * read), which answers it exactly as before, reports it and applies its own checks again. What it
 * answers is what the hono routes answer: the same JSON (RpcEndpoint.answer, HEALTH),
 * `Content-Type: application/json`, the CORS headers of an allowed extension origin.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { WEB_ORIGIN_HEADER } from '../../protocol/browser-extension/names.js'
import { corsHeadersFor } from './cors-headers.js'
import type { DispatchResult } from './dispatch.js'
import { readConnection } from './read-connection.js'
import { HEALTH, type RpcEndpoint } from './rpc-endpoint.js'

const HEALTH_ANSWER: DispatchResult = { status: 200, payload: HEALTH as unknown as DispatchResult['payload'] }

/** The listener: `POST /rpc` and `GET /health` served here when the guard passes them, everything else by `fallback` (the hono app). */
export function createRpcListener(rpc: RpcEndpoint, fallback: RequestListener): RequestListener {
  return (req, res) => {
    const serve = req.method === 'POST' && req.url === '/rpc' ? serveRpc : req.method === 'GET' && req.url === '/health' ? serveHealth : undefined
    if (!serve) {
      fallback(req, res)
      return
    }
    serve(rpc, fallback, req, res).catch(() => {
      // Nothing is expected to throw here (answer() never does); if something did, answer as
      // the app's error handler would, or drop a connection that is past answering.
      if (res.headersSent || res.destroyed) res.destroy()
      else writeAnswer(res, rpc.internalError(), undefined)
    })
  }
}

async function serveRpc(rpc: RpcEndpoint, fallback: RequestListener, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = readHeaders(req.rawHeaders)
  const header = (name: string) => headers.get(name)
  const connection = readConnection({ incoming: req })
  const verdict = await rpc.guard.check({ connection, method: 'POST', target: req.url, header })
  const length = header('transfer-encoding') === undefined ? parseContentLength(header('content-length')) : undefined
  if (verdict.kind !== 'pass' || length === undefined || length > rpc.guard.options.maxBodyBytes) {
    fallback(req, res)
    return
  }
  const body = await readBody(req, length)
  if (body === undefined) return // the client went away before sending its body
  const peer = await rpc.guard.peerOf(connection)
  // Aborted when the connection closes before the answer (the caller gave up: Ctrl-C in the CLI),
  // as the hono route's request signal is; a prompt it was waiting on is then withdrawn.
  const abort = new AbortController()
  const onClose = () => {
    if (!res.writableFinished) abort.abort()
  }
  res.once('close', onClose)
  const result = await rpc.answer(decodeUtf8(body), { authorization: header('authorization'), webOrigin: header(WEB_ORIGIN_HEADER) }, peer, abort.signal)
  writeAnswer(res, result, verdict.corsOrigin)
}

async function serveHealth(rpc: RpcEndpoint, fallback: RequestListener, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = readHeaders(req.rawHeaders)
  const verdict = await rpc.guard.check({ connection: readConnection({ incoming: req }), method: 'GET', target: req.url, header: (name) => headers.get(name) })
  if (verdict.kind !== 'pass') {
    fallback(req, res)
    return
  }
  req.resume() // a GET has no body to speak of; whatever came is not read
  writeAnswer(res, HEALTH_ANSWER, verdict.corsOrigin)
}

/**
 * Header fields by lower-case name, repeated fields joined with ", " — what Fetch's
 * `Headers.get` (and so hono's `c.req.header`) returns for them, so both paths see one value.
 */
function readHeaders(raw: string[]): Map<string, string> {
  const map = new Map<string, string>()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const known = map.get(name)
    map.set(name, known === undefined ? raw[i + 1]! : `${known}, ${raw[i + 1]!}`)
  }
  return map
}

/** A Content-Length of digits only (RFC 9110 §8.6); anything else is left to the hono path. */
function parseContentLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined
  return Number(value)
}

/**
 * The body, `length` bytes (Node's parser frames it by Content-Length), or undefined when the
 * connection ends first. One chunk (a small request) is used as it is; more are copied once into
 * a buffer of the announced size.
 */
function readBody(req: IncomingMessage, length: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    let single: Buffer | undefined
    let joined: Buffer | undefined
    let at = 0
    req.on('data', (chunk: Buffer) => {
      if (at + chunk.length > length) return // cannot happen: the parser stops at Content-Length
      if (at === 0 && chunk.length === length) single = chunk
      else {
        joined ??= Buffer.allocUnsafe(length)
        chunk.copy(joined, at)
      }
      at += chunk.length
    })
    req.once('end', () => resolve(at === length ? (single ?? joined ?? Buffer.alloc(0)) : undefined))
    req.once('error', () => resolve(undefined))
    req.once('close', () => resolve(undefined)) // after 'end' this changes nothing: a promise settles once
  })
}

/** UTF-8 as Fetch's `text()` decodes it: a leading byte order mark is dropped (Encoding §4.1, "UTF-8 decode"). */
function decodeUtf8(body: Buffer): string {
  const text = body.toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function writeAnswer(res: ServerResponse, result: DispatchResult, corsOrigin: string | undefined): void {
  const cors = corsHeadersFor(corsOrigin)
  if (result.payload === undefined) {
    res.writeHead(204, cors)
    res.end()
    return
  }
  const body = Buffer.from(JSON.stringify(result.payload), 'utf8')
  res.writeHead(result.status, { 'content-type': 'application/json', 'content-length': body.length, ...cors })
  res.end(body)
}
