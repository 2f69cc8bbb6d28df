import type { StsSigningRequests } from './sts/sts-signing.js'

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
  }
}
