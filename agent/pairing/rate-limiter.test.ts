import { describe, expect, it } from 'vitest'
import { isAgentError } from '../../protocol/errors.js'
import { RateLimiter } from './rate-limiter.js'

function fakeClock(start = 1_000_000): { clock: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let now = start
  return { clock: () => now, advance: (ms) => void (now += ms), set: (ms) => void (now = ms) }
}

function takeMany(limiter: RateLimiter, key: string, n: number): number {
  let ok = 0
  for (let i = 0; i < n; i++) if (limiter.take(key).ok) ok++
  return ok
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 5, clock: time.clock })
    expect(takeMany(limiter, 'a', 5)).toBe(5)
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 500 })
    time.advance(200)
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 300 })
    time.advance(300)
    expect(limiter.take('a')).toEqual({ ok: true })
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 500 })
  })

  it('refills at the rate up to the burst, never beyond', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 3, clock: time.clock })
    expect(takeMany(limiter, 'a', 3)).toBe(3)
    time.advance(150) // 1.5 tokens
    expect(takeMany(limiter, 'a', 5)).toBe(1)
    time.advance(3_600_000) // an hour: still only `burst`
    expect(takeMany(limiter, 'a', 10)).toBe(3)
  })

  it('sustains exactly the rate over time', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 5, burst: 1, clock: time.clock })
    let ok = 0
    for (let ms = 0; ms < 10_000; ms += 10) {
      if (limiter.take('a').ok) ok++
      time.advance(10)
    }
    expect(ok).toBe(50)
  })

  it('keeps a bucket per key', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 2, clock: time.clock })
    expect(takeMany(limiter, 'a', 5)).toBe(2)
    expect(takeMany(limiter, 'b', 5)).toBe(2)
    expect(limiter.take('a').ok).toBe(false)
  })

  it('suggests a retry that then succeeds', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 3, burst: 1, clock: time.clock })
    expect(limiter.take('a').ok).toBe(true)
    const refused = limiter.take('a')
    if (refused.ok) throw new Error('expected a refusal')
    expect(refused.retryAfterMs).toBe(334) // 1000 / 3, rounded up so the retry is never early
    time.advance(refused.retryAfterMs)
    expect(limiter.take('a').ok).toBe(true)
  })

  it('neither drains nor double-refills when the clock steps back', () => {
    const time = fakeClock(10_000)
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 2, clock: time.clock })
    expect(takeMany(limiter, 'a', 2)).toBe(2)
    time.set(5_000)
    expect(limiter.take('a').ok).toBe(false)
    time.set(10_999)
    expect(limiter.take('a').ok).toBe(false)
    time.set(11_000)
    expect(limiter.take('a').ok).toBe(true)
  })

  it('evicts idle buckets, so memory follows the active keys only', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 5, clock: time.clock }) // full again after 500 ms
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`)
    expect(limiter.size).toBe(1000)
    time.advance(400)
    limiter.take('active')
    expect(limiter.size).toBe(1001) // not idle long enough yet
    time.advance(200)
    limiter.take('active')
    expect(limiter.size).toBe(1) // the 1000 were full again: dropping them changes no answer
  })

  it('an evicted idle key gets the same answers as if it had been kept', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 3, clock: time.clock })
    expect(takeMany(limiter, 'a', 3)).toBe(3)
    time.advance(3000)
    limiter.take('other') // sweeps 'a'
    expect(limiter.size).toBe(1)
    expect(takeMany(limiter, 'a', 5)).toBe(3)
  })

  it('stays within maxKeys under a flood of distinct keys, dropping the least recently used', () => {
    const time = fakeClock()
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 2, clock: time.clock, maxKeys: 100 })
    expect(takeMany(limiter, 'busy', 2)).toBe(2)
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`flood${i}`)
      if (i % 50 === 0) limiter.take('busy') // recently used: survives the flood
      expect(limiter.size).toBeLessThanOrEqual(100)
    }
    expect(limiter.take('busy').ok).toBe(false) // still limited: its bucket was kept
  })

  it('refuses options that would disable or break limiting', () => {
    const clock = () => 0
    for (const options of [
      { ratePerSecond: 0, burst: 1 },
      { ratePerSecond: -1, burst: 1 },
      { ratePerSecond: Number.NaN, burst: 1 },
      { ratePerSecond: 1, burst: 0 },
      { ratePerSecond: 1, burst: Number.POSITIVE_INFINITY },
    ]) {
      let thrown: unknown
      try {
        new RateLimiter({ ...options, clock })
      } catch (err) {
        thrown = err
      }
      expect(isAgentError(thrown) && thrown.code, JSON.stringify(options)).toBe('ERR_CONFIG_INVALID')
    }
  })
})
