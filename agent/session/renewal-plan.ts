/** How early to renew; resolved once from the config. */
export interface RenewalPolicy {
  /** Fraction of the lifetime after which the token is renewed; default 2/3. */
  fraction: number
  /** Random spread around that point, as a fraction of the lifetime; default 0.05. */
  jitter: number
  /**
   * Room left between the renewal and NotOnOrAfter for clock skew with the STS and a slow
   * answer; default 2 minutes, but never more than `marginFraction` of the lifetime, so that a
   * short token still has a renewal point inside its lifetime.
   */
  skewMarginMs: number
  /** The largest share of the lifetime the margin may take; default 1/6. */
  marginFraction: number
  /**
   * Never renew sooner than this after a token arrived, however short its lifetime: an STS
   * handing out tokens that expire almost at once must not be asked again in a loop. Default 10 s.
   */
  minIntervalMs: number
  /** After a failed renewal, the longest wait before the next try; default 30 s (less for a token about to expire). */
  retryMs: number
  /** After a failed renewal, the shortest wait before the next try; default 1 s. */
  minRetryMs: number
}

export const DEFAULT_RENEWAL_POLICY = {
  fraction: 2 / 3,
  jitter: 0.05,
  skewMarginMs: 120_000,
  marginFraction: 1 / 6,
  minIntervalMs: 10_000,
  retryMs: 30_000,
  minRetryMs: 1_000,
} as const satisfies RenewalPolicy

/** A token's validity, and when this agent received it. */
export interface TokenWindow {
  notBefore: Date
  notOnOrAfter: Date
  /** When the token arrived (the agent's clock). */
  receivedAt: Date
}

/**
 * When to renew a token (threat T15). The official connector renews only after expiry and has
 * renewal off by default; renewing at about two thirds of the lifetime, with jitter so a fleet
 * of agents does not hit the STS at once, leaves time to retry and to ask the user for a PIN
 * ahead of time.
 *
 * The lifetime counts from when the token arrived, not from NotBefore: the real STS back-dates
 * NotBefore by some minutes, which is validity already spent before the token existed. The
 * result is at least `minIntervalMs` after arrival (so a renewal never falls due at once, which
 * made every call renew a token shorter than the old fixed 2-minute margin: a renewal storm), and
 * otherwise at most a margin before NotOnOrAfter that fits the lifetime (2 minutes for a day's
 * token, 10 s for a minute's).
 *
 * @param random a number in [0, 1)
 */
export function planRenewal(window: TokenWindow, random: number, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): Date {
  const start = Math.max(window.notBefore.getTime(), window.receivedAt.getTime())
  const end = window.notOnOrAfter.getTime()
  const lifetime = Math.max(0, end - start)
  const spread = (random * 2 - 1) * policy.jitter * lifetime
  const margin = Math.min(policy.skewMarginMs, lifetime * policy.marginFraction)
  const at = Math.min(start + lifetime * policy.fraction + spread, end - margin)
  return new Date(Math.max(at, start + policy.minIntervalMs))
}

/**
 * When to try again after a renewal failed at `now`: `retryMs` for a token with time left, less
 * as its end nears (a quarter of what is left), so a short token gets several tries before it
 * expires; never sooner than `minRetryMs`, so a failing STS is not asked in a loop.
 */
export function planRenewalRetry(now: Date, notOnOrAfter: Date, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): Date {
  const left = notOnOrAfter.getTime() - now.getTime()
  return new Date(now.getTime() + Math.max(policy.minRetryMs, Math.min(policy.retryMs, left / 4)))
}
