import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { rootCertificates } from 'node:tls'
import { AgentError } from '../protocol/errors.js'

/** One HTTP exchange, as the STS client and soap.call need it. */
export interface HttpExchange {
  url: string
  method: 'POST' | 'GET' | 'OPTIONS'
  headers: Record<string, string>
  body?: string
  timeoutMs: number
}

export interface HttpReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Sends one request; injected so tests and the sandbox can swap it. */
export type HttpTransport = (exchange: HttpExchange) => Promise<HttpReply>

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Extra trusted CAs (PEM), added to the system's (never replacing them). */
  extraCaPem?: string[]
  /** Largest response accepted, bytes; default 64 MiB. */
  maxResponseBytes?: number
}

/**
 * The real transport: node:http for the loopback sandbox, node:https with the system trust plus
 * a configurable CA bundle for eHealth (one-way TLS: eHealth authenticates at message level,
 * reference §1). Connection failures and timeouts become ERR_NETWORK / ERR_TIMEOUT.
 */
export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  const ca = options.extraCaPem?.length ? [...rootCertificates, ...options.extraCaPem] : undefined
  const maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024
  return (exchange) =>
    new Promise<HttpReply>((resolve, reject) => {
      const url = new URL(exchange.url)
      const isHttps = url.protocol === 'https:'
      if (!isHttps && url.protocol !== 'http:') {
        reject(new AgentError('ERR_CONFIG_INVALID', `unsupported URL scheme ${url.protocol}`))
        return
      }
      const send = isHttps ? httpsRequest : httpRequest
      const headers: Record<string, string | number> = { ...exchange.headers }
      if (exchange.body !== undefined) headers['Content-Length'] = Buffer.byteLength(exchange.body)
      const req = send(
        url,
        { method: exchange.method, headers, timeout: exchange.timeoutMs, ...(isHttps && ca ? { ca } : {}) },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > maxBytes) {
              req.destroy()
              reject(new AgentError('ERR_REMOTE_PROTOCOL', `the response is larger than ${maxBytes} bytes`))
              return
            }
            chunks.push(chunk)
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
          res.on('error', (err) => reject(networkError(err, exchange.url)))
        },
      )
      req.on('timeout', () => {
        req.destroy(new AgentError('ERR_TIMEOUT', `no answer from ${url.host} within ${exchange.timeoutMs} ms`))
      })
      req.on('error', (err) => reject(err instanceof AgentError ? err : networkError(err, exchange.url)))
      req.end(exchange.body)
    })
}

function networkError(err: Error & { code?: string }, url: string): AgentError {
  const host = new URL(url).host
  return new AgentError('ERR_NETWORK', `cannot reach ${host}: ${err.code ?? err.message}`, { host, cause: err.code ?? 'error' })
}
