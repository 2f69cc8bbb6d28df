import { rootCertificates } from 'node:tls'
import type { Agent, Dispatcher, ProxyAgent } from 'undici'
import { AgentError } from '../../protocol/errors.js'
import type { HttpFetch, HttpReply, HttpTransport } from '../http-transport.js'
import { createFetch } from './create-fetch.js'
import { classifyFailure } from './network-error.js'
import { isLoopbackHost, matchesNoProxy } from './no-proxy.js'
import { DIRECT, type ChosenProxy, type ProxyPlan } from './resolve-proxy.js'

/** The undici module. */
type Undici = typeof import('undici')
/**
 * undici is CommonJS. Node's `import()` of it gives its exports twice, as named exports and as
 * `default` (module.exports; Node's documentation, "Modules: ECMAScript modules", Interoperability
 * with CommonJS); the bundle that ships (esbuild with code splitting) gives only `default`. So
 * `default` it is, whichever runs.
 */
const importUndici = async (): Promise<Undici> => ((await import('undici')) as unknown as { default: Undici }).default

/** How long a proxy may take to answer a CONNECT before undici gives the attempt up. */
const PROXY_CONNECT_TIMEOUT_MS = 60_000

/** Options of {@link createHttpClient}; resolved once. */
export interface HttpClientOptions {
  /** Which proxy for which URL (agent/net/resolve-proxy.ts); default: none. */
  proxy?: ProxyPlan
  /** Extra trusted CAs (PEM text), added to Node's bundled roots, never replacing them. */
  extraCaPem?: readonly string[]
  /** Largest response body accepted, bytes; default 64 MiB. */
  maxResponseBytes?: number
  /** How long an idle connection is kept for the next request; default 60 s. */
  keepAliveMs?: number
  /**
   * Send loopback requests through the proxy too. Only for tests, where the sandbox (on
   * 127.0.0.1 by design) stands behind a test proxy; never read from the settings, the
   * environment or the command line.
   */
  proxyLoopback?: boolean
}

/** The one HTTP client of the agent: every request to eHealth (and the sandbox) goes through it. */
export interface HttpClient {
  /** One exchange, bounded by `exchange.timeoutMs` from start to the last byte of the body. */
  request: HttpTransport
  /** The same client as `fetch`, for IAM Connect and jose (JWKS); bodies are strings. */
  fetch: HttpFetch
  /** The proxy a request to `url` goes through, or undefined when it goes direct. */
  proxyFor(url: string): ChosenProxy | undefined
  /** Close every connection (requests under way fail); requests after this fail too. */
  close(): Promise<void>
}

/**
 * Build the agent's HTTP client on undici (nodejs/undici): one connection pool per host, kept
 * alive between calls (the STS, then the same service many times), so a practice's stream of
 * soap.call requests does not pay a TCP and TLS handshake each; a proxy per the plan — plain
 * `http://` targets are forwarded in absolute form (RFC 9112 §3.2.2), `https://` ones tunnelled
 * with CONNECT (RFC 9110 §9.3.6), with `Proxy-Authorization: Basic` when the plan has credentials
 * (RFC 9110 §11.7.1, RFC 7617); loopback never through a proxy; the extra CAs trusted for
 * eHealth and for an https proxy alike.
 *
 * Every request has one total deadline, enforced by an AbortSignal from the moment it starts:
 * connecting (or the proxy's CONNECT), TLS, sending, the headers and the whole body — a server
 * that trickles bytes cannot hold a call beyond it (idle timeouts alone would let it). Bodies
 * larger than `maxResponseBytes` are cut off. Failures are typed: ERR_TIMEOUT, ERR_PROXY,
 * ERR_TLS, ERR_NETWORK (agent/net/network-error.ts).
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const plan = options.proxy ?? DIRECT
  const maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024
  const keepAliveTimeout = options.keepAliveMs ?? 60_000
  const ca = options.extraCaPem?.length ? [...rootCertificates, ...options.extraCaPem] : undefined
  const tls = ca ? { ca } : {}
  const pool = { keepAliveTimeout, keepAliveMaxTimeout: keepAliveTimeout, connections: 16 }
  // undici is loaded at the first request, not at start: an agent that only signs (the STS is
  // asked once a day) does not carry its modules in memory before it needs them.
  let loading: Promise<Undici> | undefined
  const loadUndici = (): Promise<Undici> => (loading ??= importUndici())
  let direct: Agent | undefined
  const proxied = new Map<string, ProxyAgent>()
  let closed = false

  const proxyFor = (url: URL): ChosenProxy | undefined => {
    const chosen = url.protocol === 'https:' ? plan.https : plan.http
    if (!chosen) return undefined
    if (!options.proxyLoopback && isLoopbackHost(url.hostname)) return undefined
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
    return matchesNoProxy(plan.noProxy, url.hostname, port) ? undefined : chosen
  }

  const dispatcherFor = (undici: Undici, proxy: ChosenProxy | undefined): Dispatcher => {
    const { Agent, Pool, ProxyAgent } = undici
    if (!proxy) return (direct ??= new Agent({ ...pool, connect: tls }))
    const { origin, username, password } = proxy.endpoint
    const key = `${origin} ${username ?? ''}`
    let agent = proxied.get(key)
    if (!agent) {
      const token = username !== undefined || password !== undefined ? `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}` : undefined
      agent = new ProxyAgent({
        ...pool,
        uri: origin,
        ...(token ? { token } : {}),
        proxyTunnel: false,
        requestTls: tls,
        proxyTls: tls,
        // The connection that asks for CONNECT tunnels: a proxy that never answers one is given
        // up in the background too (the caller's deadline has long failed the call by then).
        clientFactory: (proxyOrigin, opts) => new Pool(proxyOrigin, { ...opts, headersTimeout: PROXY_CONNECT_TIMEOUT_MS, bodyTimeout: PROXY_CONNECT_TIMEOUT_MS }),
      })
      proxied.set(key, agent)
    }
    return agent
  }

  const request: HttpTransport = async (exchange) => {
    if (closed) throw new AgentError('ERR_INTERNAL', 'the HTTP client is closed')
    const url = parseTarget(exchange.url)
    const proxy = proxyFor(url)
    const deadline = startDeadline(exchange.timeoutMs, exchange.signal)
    const exchangeOnce = async (): Promise<HttpReply> => {
      const undici = await loadUndici()
      const response = await undici.request(url, {
        dispatcher: dispatcherFor(undici, proxy),
        method: exchange.method,
        headers: exchange.headers,
        ...(exchange.body !== undefined ? { body: exchange.body } : {}),
        signal: deadline.signal,
        // The deadline bounds the whole exchange; these idle timers only must not fire first.
        headersTimeout: exchange.timeoutMs + 1000,
        bodyTimeout: exchange.timeoutMs + 1000,
      })
      return readReply(response, maxBytes, url)
    }
    try {
      // undici acts on an abort only once the request has a connection (a queued or connecting
      // request keeps the reason for later), so the deadline also races the whole exchange: a
      // proxy that never answers its CONNECT cannot hold the caller either.
      const attempt = exchangeOnce()
      attempt.catch(() => undefined) // once the deadline won, its late failure is nobody's concern
      return await Promise.race([attempt, deadline.reached])
    } catch (err) {
      if (deadline.expired()) {
        throw new AgentError('ERR_TIMEOUT', `no complete answer from ${url.host}${proxy ? ` through the proxy ${proxy.display}` : ''} within ${exchange.timeoutMs} ms`, {
          host: url.host,
          timeoutMs: exchange.timeoutMs,
          ...(proxy ? { proxy: proxy.display } : {}),
        })
      }
      if (exchange.signal?.aborted) throw exchange.signal.reason
      if (err instanceof AgentError) throw err
      throw classifyFailure(err, { url, proxy, timeoutMs: exchange.timeoutMs })
    } finally {
      deadline.clear()
    }
  }

  return {
    request,
    fetch: createFetch(request),
    proxyFor: (url) => proxyFor(new URL(url)),
    async close() {
      closed = true
      // Destroyed, not closed gracefully: at stop a request still under way is of no use, and a
      // graceful close would wait for a proxy that never answers a CONNECT.
      await Promise.all([...(direct ? [direct] : []), ...proxied.values()].map((d) => d.destroy().catch(() => undefined)))
    },
  }
}

function parseTarget(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new AgentError('ERR_CONFIG_INVALID', `not a URL: ${text.slice(0, 200)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AgentError('ERR_CONFIG_INVALID', `unsupported URL scheme ${url.protocol}`)
  if (url.username !== '' || url.password !== '') throw new AgentError('ERR_CONFIG_INVALID', `a URL with a user name or password is not sent: ${url.host}`)
  return url
}

/** The body, up to `maxBytes` (a larger one is refused before it is all read). */
async function readReply(response: Dispatcher.ResponseData, maxBytes: number, url: URL): Promise<HttpReply> {
  const tooLarge = () => new AgentError('ERR_REMOTE_PROTOCOL', `the answer of ${url.host} is larger than ${maxBytes} bytes`, { host: url.host, limit: maxBytes })
  const declared = Number(response.headers['content-length'])
  // Destroying the body makes undici emit an abort error on it: nobody else listens, so swallow it.
  const discard = () => response.body.on('error', () => undefined).destroy()
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard()
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      discard()
      throw tooLarge()
    }
    chunks.push(chunk)
  }
  return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }
}

/**
 * One AbortSignal for the whole exchange, aborted at the deadline or by the caller's own signal,
 * whichever comes first; `reached` rejects at that moment.
 */
function startDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): { signal: AbortSignal; reached: Promise<never>; expired(): boolean; clear(): void } {
  const controller = new AbortController()
  let expired = false
  let reject!: (reason: unknown) => void
  const reached = new Promise<never>((_resolve, r) => (reject = r))
  reached.catch(() => undefined)
  const stop = (reason: unknown) => {
    controller.abort(reason)
    reject(reason)
  }
  const timer = setTimeout(() => {
    expired = true
    stop(new Error(`deadline of ${timeoutMs} ms reached`))
  }, timeoutMs)
  const onAbort = () => stop(callerSignal?.reason)
  if (callerSignal?.aborted) onAbort()
  else callerSignal?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: controller.signal,
    reached,
    expired: () => expired,
    clear() {
      clearTimeout(timer)
      callerSignal?.removeEventListener('abort', onAbort)
    },
  }
}
