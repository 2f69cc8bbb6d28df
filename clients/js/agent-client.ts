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
   * Cancels every call under way, and refuses new ones, once aborted (a CLI's Ctrl-C): the
   * connection closes, so the agent withdraws the prompt the call was waiting on. The call
   * rejects with ERR_USER_CANCELLED.
   */
  signal?: AbortSignal
  /**
   * For the browser extension's native host only: the website the request is for, as the browser
   * reported it. The agent accepts it from a client paired as a browser extension and refuses it
   * from anyone else.
   */
  webOrigin?: string
}

/** Options of one call. */
export interface CallOptions {
  /** Cancels this call (see {@link AgentClientOptions.signal}). */
  signal?: AbortSignal
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
  private readonly signal: AbortSignal | undefined
  private readonly webOrigin: string | undefined
  private nextId = 1

  constructor(options: AgentClientOptions) {
    this.url = options.url.replace(/\/+$/, '')
    this.credential = options.credential
    this.fetchImpl = options.fetch ?? fetch
    this.timeoutMs = options.timeoutMs ?? 300_000
    this.signal = options.signal
    this.webOrigin = options.webOrigin
  }

  /**
   * Call one method; resolves with its typed result or rejects with an AgentError:
   * ERR_AGENT_UNREACHABLE when nothing answers at the agent's address, ERR_USER_CANCELLED when
   * the call was cancelled through a signal.
   */
  async call<M extends MethodName>(
    method: M,
    ...args: {} extends MethodParams<M> ? [params?: MethodParams<M>, options?: CallOptions] : [params: MethodParams<M>, options?: CallOptions]
  ): Promise<MethodResults[M]> {
    const id = this.nextId++
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (this.credential) headers.Authorization = `Bearer ${this.credential}`
    if (this.webOrigin !== undefined) headers[WEB_ORIGIN_HEADER] = this.webOrigin
    const cancels = [this.signal, args[1]?.signal].filter((s): s is AbortSignal => s !== undefined)
    const cancelled = () => new AgentError('ERR_USER_CANCELLED', 'cancelled; the agent withdraws what it was asking the user', { method })
    if (cancels.some((s) => s.aborted)) throw cancelled()
    let response: Response
    let body: unknown
    try {
      response = await this.fetchImpl(`${this.url}/rpc`, {
        method: 'POST',
        headers,
        body: JSON.stringify(encodeRequest(method, (args[0] ?? {}) as Record<string, unknown>, id)),
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), ...cancels]),
      })
    } catch (err) {
      if (cancels.some((s) => s.aborted)) throw cancelled()
      if ((err as { name?: string }).name === 'TimeoutError') throw new AgentError('ERR_TIMEOUT', 'the agent did not answer in time', { url: this.url })
      throw new AgentError('ERR_AGENT_UNREACHABLE', `nothing answers at ${this.url}: the ehealth-agent is not running there`, { url: this.url })
    }
    try {
      body = await response.json()
    } catch {
      if (cancels.some((s) => s.aborted)) throw cancelled()
      throw new AgentError('ERR_REMOTE_PROTOCOL', `the agent answered HTTP ${response.status} without JSON`)
    }
    const decoded = decodeResponse(body)
    if (!decoded.ok) throw decoded.error
    return decoded.result as MethodResults[M]
  }
}
