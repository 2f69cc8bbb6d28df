import { WEB_ORIGIN_HEADER } from '../../protocol/browser-extension/names.js'
import { decodeResponse } from '../../protocol/rpc/decode-response.js'
import { encodeRequest } from '../../protocol/rpc/encode-request.js'
import { AgentError } from '../../protocol/errors.js'
import type { MethodName, MethodParams, MethodResults } from '../../protocol/rpc/methods.js'

/** Where the agent is and how to authenticate to it. */
export interface AgentClientOptions {
  /** e.g. `http://127.0.0.1:4752`. */
  url: string
  /** The pairing credential, or the local credential of the same user's CLI. */
  credential?: string
  /** Injected for tests and browsers; global fetch by default. */
  fetch?: typeof fetch
  /** Per-call timeout; default 5 minutes (a call may wait for the user's PIN). */
  timeoutMs?: number
  /**
   * For the browser extension's native host only: the website the request is for, as the browser
   * reported it. The agent accepts it from a client paired as a browser extension and refuses it
   * from anyone else.
   */
  webOrigin?: string
}

/**
 * A typed JSON-RPC client of ehealth-agent. Errors arrive as `AgentError` with the agent's stable
 * `code`, so callers can `switch (err.code)`.
 *
 * @example
 * ```ts
 * const agent = new AgentClient({ url: 'http://127.0.0.1:4752', credential })
 * const { envelope } = await agent.call('soap.sign', { envelope: unsigned })
 * ```
 */
export class AgentClient {
  readonly url: string
  private readonly credential: string | undefined
  private readonly fetchImpl: typeof fetch
  private readonly timeoutMs: number
  private readonly webOrigin: string | undefined
  private nextId = 1

  constructor(options: AgentClientOptions) {
    this.url = options.url.replace(/\/+$/, '')
    this.credential = options.credential
    this.fetchImpl = options.fetch ?? fetch
    this.timeoutMs = options.timeoutMs ?? 300_000
    this.webOrigin = options.webOrigin
  }

  /** Call one method; resolves with its typed result or rejects with an AgentError. */
  async call<M extends MethodName>(method: M, ...args: {} extends MethodParams<M> ? [params?: MethodParams<M>] : [params: MethodParams<M>]): Promise<MethodResults[M]> {
    const id = this.nextId++
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (this.credential) headers.Authorization = `Bearer ${this.credential}`
    if (this.webOrigin !== undefined) headers[WEB_ORIGIN_HEADER] = this.webOrigin
    let response: Response
    try {
      response = await this.fetchImpl(`${this.url}/rpc`, {
        method: 'POST',
        headers,
        body: JSON.stringify(encodeRequest(method, (args[0] ?? {}) as Record<string, unknown>, id)),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (err) {
      const timeout = (err as { name?: string }).name === 'TimeoutError'
      throw new AgentError(timeout ? 'ERR_TIMEOUT' : 'ERR_NETWORK', timeout ? 'the agent did not answer in time' : `cannot reach the agent at ${this.url}; is it running?`, { url: this.url })
    }
    let body: unknown
    try {
      body = await response.json()
    } catch {
      throw new AgentError('ERR_REMOTE_PROTOCOL', `the agent answered HTTP ${response.status} without JSON`)
    }
    const decoded = decodeResponse(body)
    if (!decoded.ok) throw decoded.error
    return decoded.result as MethodResults[M]
  }
}
