/** How early to renew; resolved once from the config. */
export interface RenewalPolicy {
  /** Fraction of the lifetime after which the token is renewed; default 2/3. */
  fraction: number
  /** Random spread around that point, as a fraction of the lifetime; default 0.05. */
  jitter: number
  /** Never later than this before NotOnOrAfter (clock skew with the STS); default 2 minutes. */
  skewMarginMs: number
}

export const DEFAULT_RENEWAL_POLICY = { fraction: 2 / 3, jitter: 0.05, skewMarginMs: 120_000 } as const satisfies RenewalPolicy

/**
 * When to renew a token valid from `notBefore` to `notOnOrAfter` (threat T15). The official
 * connector renews only after expiry and has renewal off by default (reference §10); renewing at
 * about two thirds of the lifetime, with jitter so a fleet of agents does not hit the STS at
 * once, leaves time to retry and to ask the user for a PIN ahead of time.
 *
 * @param random a number in [0, 1)
 */
export function planRenewal(notBefore: Date, notOnOrAfter: Date, random: number, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): Date {
  const start = notBefore.getTime()
  const end = notOnOrAfter.getTime()
  const lifetime = Math.max(0, end - start)
  const spread = (random * 2 - 1) * policy.jitter * lifetime
  const at = start + lifetime * policy.fraction + spread
  return new Date(Math.max(start, Math.min(at, end - policy.skewMarginMs)))
}
