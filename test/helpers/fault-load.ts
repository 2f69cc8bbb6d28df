import { AgentClient } from '../../clients/js/agent-client.js'
import { isAgentError } from '../../protocol/errors.js'

/** The namespace of the load's request bodies: the operation the privacy log records names each request. */
export const LOAD_NS = 'urn:ehealth-agent:fault-suite'

/** A call the agent answered with a signature: what the caller holds. */
export interface Acknowledged {
  method: 'soap.sign' | 'soap.call'
  /** The body root's local name, unique per request: `{LOAD_NS}<op>` in the privacy log. */
  op: string
  assertionId: string
  at: number
}

export interface Failure {
  phase: string
  method: 'soap.sign' | 'soap.call'
  code: string
  message: string
  /** error.data.hint, as a caller would show it. */
  hint: string | undefined
  at: number
}

export interface LoadOptions {
  /** Concurrent callers. */
  callers: number
  /** Pause after each call, ms (a random value in this range): callers act like programs, not a tight loop. */
  pauseMs: [number, number]
  /** The client caller `i` uses now (read before every call, so a restarted agent's new credential is picked up). */
  client: (caller: number) => AgentClient
  /** Every n-th call of a caller is a soap.call to this endpoint instead of a soap.sign; never when undefined. */
  callEndpoint?: string
  callEvery?: number
  /** Prefix of the operation names, so each run's requests are told apart. */
  tag: string
}

/**
 * Callers signing (and calling) through a real agent until stopped, each request with a body root
 * of its own name, recording what was acknowledged and what failed, and in which phase.
 */
export class Load {
  readonly acknowledged: Acknowledged[] = []
  readonly failures: Failure[] = []
  phase = 'start'
  private running = false
  private loops: Promise<void>[] = []
  private readonly options: LoadOptions
  private serial = 0

  constructor(options: LoadOptions) {
    this.options = options
  }

  start(): void {
    if (this.running) throw new Error('the load is already running')
    this.running = true
    this.loops = Array.from({ length: this.options.callers }, (_, i) => this.loop(i))
  }

  /** Stop and wait for the calls in flight to end. */
  async stop(): Promise<void> {
    this.running = false
    await Promise.all(this.loops)
    this.loops = []
  }

  failuresIn(phase: string): Failure[] {
    return this.failures.filter((f) => f.phase === phase)
  }

  private async loop(caller: number): Promise<void> {
    let n = 0
    while (this.running) {
      n++
      const op = `${this.options.tag}_c${caller}_n${n}_${++this.serial}`
      const useCall = this.options.callEndpoint !== undefined && n % (this.options.callEvery ?? 5) === 0
      const method = useCall ? 'soap.call' : 'soap.sign'
      const phase = this.phase
      try {
        const client = this.options.client(caller)
        const result = useCall
          ? await client.call('soap.call', { endpoint: this.options.callEndpoint!, envelope: envelopeFor(op) })
          : await client.call('soap.sign', { envelope: envelopeFor(op) })
        this.acknowledged.push({ method, op, assertionId: result.assertionId, at: Date.now() })
      } catch (error) {
        const code = isAgentError(error) ? error.code : 'NOT_AN_AGENT_ERROR'
        const hint = isAgentError(error) ? (typeof error.data.hint === 'string' ? error.data.hint : error.hint) : undefined
        this.failures.push({ phase, method, code, message: (error as Error).message, hint, at: Date.now() })
        // A caller that failed waits a little before trying again, as a program would.
        await sleep(100)
      }
      const [min, max] = this.options.pauseMs
      await sleep(min + Math.random() * (max - min))
    }
  }
}

/** A small eHealth-style request whose body root is named `op`. */
export function envelopeFor(op: string): string {
  return (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
    `<soapenv:Body><f:${op} xmlns:f="${LOAD_NS}"><f:Code>R/1234</f:Code><f:Label>Consultation</f:Label></f:${op}></soapenv:Body>` +
    '</soapenv:Envelope>'
  )
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Wait until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}
