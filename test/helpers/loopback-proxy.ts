import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

/** What the proxy saw: one line per request (`POST http://…`, `CONNECT host:port`), and its Proxy-Authorization. */
export interface ProxySighting {
  line: string
  authorization: string | undefined
}

export interface LoopbackProxy {
  url: string
  port: number
  seen: ProxySighting[]
  close(): Promise<void>
}

/**
 * A small HTTP proxy on 127.0.0.1 for the unit tests (the system tests use tinyproxy): forwards
 * absolute-form requests (RFC 9112 §3.2.2) and tunnels CONNECT (RFC 9110 §9.3.6). With
 * `requireAuth` it answers 407 unless `Proxy-Authorization` is exactly that value; with
 * `connectStatus` it answers CONNECT with that status instead of tunnelling.
 */
export async function startLoopbackProxy(options: { requireAuth?: string; connectStatus?: number } = {}): Promise<LoopbackProxy> {
  const seen: ProxySighting[] = []
  const sockets = new Set<Socket>()
  const allowed = (auth: string | undefined) => options.requireAuth === undefined || auth === options.requireAuth
  const server: Server = createServer((req, res) => {
    const authorization = req.headers['proxy-authorization']
    seen.push({ line: `${req.method} ${req.url}`, authorization })
    if (!allowed(authorization)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test"' }).end()
      return
    }
    const target = new URL(req.url ?? '')
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const authorization = req.headers['proxy-authorization']
    seen.push({ line: `CONNECT ${req.url}`, authorization })
    if (!allowed(authorization)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n')
      return
    }
    if (options.connectStatus !== undefined) {
      client.end(`HTTP/1.1 ${options.connectStatus} Refused\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
