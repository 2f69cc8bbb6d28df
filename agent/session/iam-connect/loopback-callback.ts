import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Clock } from '../../clock.js'
import { IamConnectError } from './iam-connect-error.js'

/** A one-shot listener for the authorization response (RFC 8252 §7.3). */
export interface LoopbackCallback {
  /** `http://127.0.0.1:<port>/callback`. */
  redirectUri: string
  /** The query of the first request to the callback path; rejects with `callback-timeout`. */
  received: Promise<URLSearchParams>
  /** Stop listening (idempotent). */
  close(): Promise<void>
}

export interface ListenOptions {
  clock: Clock
  /** How long the user may take in the browser; default 10 minutes. */
  timeoutMs?: number
}

const CALLBACK_PATH = '/callback'
// No script, nothing loaded, nothing of the request echoed: only a sentence for the user.
const PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>ehealth-agent</title></head>' +
  '<body><h1>ehealth-agent</h1><p>The eHealth sign-in came back to the agent. You can close this window.</p></body></html>'

/**
 * Listen on 127.0.0.1, on a port the OS picks, for the one browser redirect that carries the
 * authorization code (RFC 8252 §7.3, §8.3: a loopback IP literal, not `localhost`). The first
 * GET of `/callback` is answered with a static page and ends the listener; anything else gets a
 * 404 and is ignored (a favicon request, a stray probe). The query is handed over as it came:
 * the caller checks `state` and `iss`.
 */
export async function listenForCallback(options: ListenOptions): Promise<LoopbackCallback> {
  let settle: { resolve: (p: URLSearchParams) => void; reject: (e: unknown) => void } | undefined
  const received = new Promise<URLSearchParams>((resolve, reject) => (settle = { resolve, reject }))
  // The caller may fail (browser not opened) before awaiting: never an unhandled rejection.
  received.catch(() => undefined)

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || !settle) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' }).end('not found')
      return
    }
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'",
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      // One request per connection: the listener can then close promptly.
      Connection: 'close',
    })
    res.end(PAGE)
    const done = settle
    settle = undefined
    done.resolve(url.searchParams)
    void close()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  let closing: Promise<void> | undefined
  const cancelTimer = options.clock.setTimer(options.timeoutMs ?? 10 * 60_000, () => {
    settle?.reject(new IamConnectError('callback-timeout', 'the eHealth sign-in was not completed in the browser in time'))
    settle = undefined
    void close()
  })
  function close(): Promise<void> {
    cancelTimer()
    if (settle) {
      settle.reject(new IamConnectError('callback-timeout', 'the sign-in was abandoned'))
      settle = undefined
    }
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      // Let the answer page finish, then drop keep-alive sockets so close() completes.
      setImmediate(() => server.closeIdleConnections())
    })
    return closing
  }
  return { redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`, received, close }
}
