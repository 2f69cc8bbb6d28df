import { request as httpRequest, type Agent } from 'node:http'

/** A raw HTTP answer. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One request with node:http, which sends exactly the Host header it is given, or none (fetch
 * would put its own). Several `chunks` and no Content-Length make a chunked body. `agent`: a keep-alive
 * agent to reuse connections; a fresh connection per request by default.
 */
export function send(
  target: { port: number } | { socketPath: string },
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: (string | Uint8Array)[] = [],
  options: { agent?: Agent; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // setHost: false — no Host header unless one is given (so a request without one can be sent).
    const req = httpRequest({ ...target, host: '127.0.0.1', method, path, headers, setHost: false, agent: options.agent ?? false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (options.timeoutMs !== undefined) req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)))
    // With no Content-Length, node:http sends several writes as a chunked body.
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}
