import type { SignatureAlgorithm } from '../../protocol/xml/algorithms.js'
import type { PersonId } from './directory-data.js'
import type { SandboxPki } from './pki/types.js'
import { StsSigning } from './sts/sts-signing.js'
import type { PendingChallenge } from './sts/ws-trust-sts.js'
import { FaultInjector } from './fault-injector.js'
import { RequestCounter } from './request-counter.js'

/** Sandbox settings; resolved once. */
export interface SandboxOptions {
  /** Clock skew tolerated on WS-Security Timestamps; default 5 minutes. */
  timestampSkewMs: number
  /**
   * The lifetime the STS gives its tokens, whatever the request asks (the 2024 WS-Trust cookbook's
   * answer does not mirror the requested Expires); default 24 h.
   */
  tokenLifetimeMs: number
  /** How long before IssueInstant a token's NotBefore lies (a real acceptance token: 5 minutes). */
  notBeforeLeadMs: number
  /** The signature algorithm of issued assertions; `--fault sha1-assertions` switches to rsa-sha1. */
  assertionAlgorithm: SignatureAlgorithm
  /**
   * `ehagent sandbox --demo`: act for the demo user. IAM Connect approves every authorization
   * request as this person by itself (no pages), and the manifest publishes the demo secrets.
   * Undefined: the pages ask, as eHealth's would.
   */
  demoPerson: PersonId | undefined
}

export const DEFAULT_SANDBOX_OPTIONS = {
  timestampSkewMs: 5 * 60_000,
  tokenLifetimeMs: 24 * 3600_000,
  notBeforeLeadMs: 5 * 60_000,
  assertionAlgorithm: 'rsa-sha256',
  demoPerson: undefined,
} as const satisfies SandboxOptions

/** Everything the sandbox endpoints share: PKI, clock, pending challenges, injected faults. */
export class SandboxState {
  readonly pki: SandboxPki
  readonly options: SandboxOptions
  readonly challenges = new Map<string, PendingChallenge>()
  readonly faults = new FaultInjector()
  /** The STS's signing key and its rotations. */
  readonly stsSigning: StsSigning
  /** Requests received per endpoint (`ehagent sandbox stats`). */
  readonly requests: RequestCounter
  /** soa:Environment in faults (the BusinessError of the R2024.1 STS announcement carries it). */
  readonly soaEnvironment = 'Simulation'
  private readonly clock: () => Date

  constructor(pki: SandboxPki, clock: () => Date, options: Partial<SandboxOptions> = {}) {
    this.pki = pki
    this.clock = clock
    this.options = { ...DEFAULT_SANDBOX_OPTIONS, ...options }
    this.stsSigning = new StsSigning(pki, () => this.faults.sts, this.options.assertionAlgorithm, () => this.now())
    this.requests = new RequestCounter(clock())
  }

  /** The sandbox's clock, shifted when a test injects STS clock skew. */
  now(): Date {
    return new Date(this.clock().getTime() + this.faults.clockSkewMs)
  }

  /** Token lifetime, shortened when a test asks for tokens that expire early. */
  tokenLifetimeMs(): number {
    return this.faults.tokenLifetimeMs ?? this.options.tokenLifetimeMs
  }
}
