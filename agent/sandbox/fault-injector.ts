import type { StsSigningRequests } from './sts/sts-signing.js'
import type { SandboxFaultState } from '../../protocol/sandbox-control.js'

/** A fault the sandbox injects into the next matching request(s). */
export type InjectedFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'http'; status: number; body?: string; contentType?: string }
  | { kind: 'soap-fault'; code: string; messages: string[] }
  | { kind: 'garbage' }
  | { kind: 'reset' }

export interface FaultRule {
  /** Path prefix the rule applies to ('' = every endpoint). */
  path: string
  fault: InjectedFault
  /** How many requests it applies to; Infinity until cleared. */
  remaining: number
}

/**
 * Scriptable misbehaviour, from tests and from `ehagent sandbox --fault …`: latency, HTTP errors,
 * SOAP faults, garbage, connection resets, STS clock skew, tokens that expire early.
 */
export class FaultInjector {
  private rules: FaultRule[] = []
  /** Added to the STS clock (issued tokens and timestamp checks). */
  clockSkewMs = 0
  /** When set, the STS issues tokens this short-lived. */
  tokenLifetimeMs: number | undefined
  /** How the STS signs its assertions: SHA-1, a signer rotation (sts/sts-signing.ts). */
  sts: StsSigningRequests = {}
  /**
   * The `Retry-After` (seconds) sent with an injected 429 or 503. Unset: 1 s on a 429 (a rate
   * limiter says when to come back, RFC 6585 §4), none on a 503.
   */
  retryAfterSeconds: number | undefined

  add(path: string, fault: InjectedFault, times = 1): void {
    this.rules.push({ path, fault, remaining: times })
  }

  /** The fault for a request to `path`, consuming one use of it. */
  take(path: string): InjectedFault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && path.startsWith(r.path))
    if (!rule) return undefined
    rule.remaining--
    this.rules = this.rules.filter((r) => r.remaining > 0)
    return rule.fault
  }

  clear(): void {
    this.rules = []
    this.clockSkewMs = 0
    this.tokenLifetimeMs = undefined
    this.sts = {}
    this.retryAfterSeconds = undefined
  }

  /** What is injected now, in the `--fault` syntax (`ehagent sandbox fault` prints it). */
  describe(): SandboxFaultState {
    return {
      rules: this.rules.map((r) => ({ path: r.path, fault: describeFault(r.fault), remaining: Number.isFinite(r.remaining) ? r.remaining : null })),
      clockSkewSeconds: this.clockSkewMs / 1000,
      tokenLifetimeSeconds: this.tokenLifetimeMs === undefined ? null : this.tokenLifetimeMs / 1000,
      retryAfterSeconds: this.retryAfterSeconds ?? null,
    }
  }

  /** The Retry-After header value for an injected answer of this status, if it gets one. */
  retryAfterFor(status: number): string | undefined {
    if (status === 429) return String(this.retryAfterSeconds ?? 1)
    if (status === 503 && this.retryAfterSeconds !== undefined) return String(this.retryAfterSeconds)
    return undefined
  }
}

/** One fault in the `--fault` syntax. */
function describeFault(fault: InjectedFault): string {
  switch (fault.kind) {
    case 'latency':
      return `latency=${fault.ms}`
    case 'http':
      return `http=${fault.status}`
    case 'soap-fault':
      return `soap-fault=${fault.code}`
    default:
      return fault.kind
  }
}
