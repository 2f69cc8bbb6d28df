import { describe, expect, it } from 'vitest'
import { DEFAULT_RENEWAL_POLICY, planRenewal, planRenewalRetry } from './renewal-plan.js'

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0)
const at = (ms: number) => new Date(T0 + ms)
const offset = (d: Date) => d.getTime() - T0
const HOUR = 3600_000

describe('planRenewal: from the token\'s own lifetime', () => {
  it('a day\'s token: at two thirds, within the jitter, at least 2 minutes before the end', () => {
    const window = { notBefore: at(0), notOnOrAfter: at(24 * HOUR), receivedAt: at(0) }
    expect(offset(planRenewal(window, 0.5))).toBe(16 * HOUR)
    expect(offset(planRenewal(window, 0))).toBeCloseTo(16 * HOUR - 0.05 * 24 * HOUR, -3)
    expect(offset(planRenewal(window, 0.999999))).toBeCloseTo(16 * HOUR + 0.05 * 24 * HOUR, -3)
  })

  it('a 60 s token: about 40 s in, never at arrival, and before the end with a margin that fits (≤ 10 s)', () => {
    const window = { notBefore: at(0), notOnOrAfter: at(60_000), receivedAt: at(0) }
    for (const random of [0, 0.25, 0.5, 0.75, 0.999999]) {
      const when = offset(planRenewal(window, random))
      expect(when).toBeGreaterThanOrEqual(37_000)
      expect(when).toBeLessThanOrEqual(43_000)
      expect(when).toBeLessThanOrEqual(60_000 - 60_000 / 6)
    }
  })

  it('a back-dated NotBefore (the real STS starts validity minutes early) does not count as lifetime spent', () => {
    const window = { notBefore: at(-5 * 60_000), notOnOrAfter: at(60_000), receivedAt: at(0) }
    expect(offset(planRenewal(window, 0.5))).toBe(40_000)
  })

  it('never sooner than the minimum interval after arrival, even for a token that is almost over', () => {
    const window = { notBefore: at(0), notOnOrAfter: at(3_000), receivedAt: at(0) }
    expect(offset(planRenewal(window, 0.5))).toBe(DEFAULT_RENEWAL_POLICY.minIntervalMs)
    const late = { notBefore: at(0), notOnOrAfter: at(60_000), receivedAt: at(59_000) }
    expect(offset(planRenewal(late, 0.5))).toBe(59_000 + DEFAULT_RENEWAL_POLICY.minIntervalMs)
  })

  it('the margin is the policy\'s 2 minutes for long tokens', () => {
    const policy = { ...DEFAULT_RENEWAL_POLICY, fraction: 0.999 }
    const window = { notBefore: at(0), notOnOrAfter: at(24 * HOUR), receivedAt: at(0) }
    expect(offset(planRenewal(window, 0.5, policy))).toBe(24 * HOUR - 120_000)
  })
})

describe('planRenewalRetry: after a failed renewal', () => {
  it('30 s while the token has plenty of time', () => {
    expect(offset(planRenewalRetry(at(0), at(8 * HOUR)))).toBe(30_000)
  })

  it('a quarter of what is left near the end, so a short token gets several tries', () => {
    expect(offset(planRenewalRetry(at(40_000), at(60_000)))).toBe(45_000)
    let now = at(40_000)
    let tries = 0
    while (now.getTime() < T0 + 60_000) {
      now = planRenewalRetry(now, at(60_000))
      tries++
    }
    expect(tries).toBeGreaterThanOrEqual(5)
  })

  it('never sooner than a second', () => {
    expect(offset(planRenewalRetry(at(59_900), at(60_000)))).toBe(59_900 + 1_000)
  })
})
