/**
 * A token bucket per key (a client id), so one paired client cannot drive the cached token at
 * machine speed (threat T8). Memory stays bounded whatever keys arrive: idle buckets are evicted,
 * and past `maxKeys` the least recently used go first.
 */
import { AgentError } from '../../protocol/errors.js'

export interface RateLimiterOptions {
  /** Tokens added per second. */
  ratePerSecond: number
  /** Bucket size: how many calls may come at once after a quiet period. */
  burst: number
  /** Milliseconds from a monotonic source (performance.now in production). */
  clock: () => number
  /** Most buckets kept at once; default 10 000. */
  maxKeys?: number
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number }

interface Bucket {
  tokens: number
  /** When `tokens` was last brought up to date. */
  at: number
}

const DEFAULT_MAX_KEYS = 10_000

export class RateLimiter {
  private readonly perMs: number
  private readonly burst: number
  private readonly clock: () => number
  private readonly maxKeys: number
  /**
   * After this long without a take a bucket is full again, the same as a fresh one, so dropping
   * it changes no answer.
   */
  private readonly idleMs: number
  /** In least-recently-used order: take() moves a key to the end. */
  private readonly buckets = new Map<string, Bucket>()
  private lastSweep: number

  constructor(options: RateLimiterOptions) {
    const { ratePerSecond, burst } = options
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
      throw new AgentError('ERR_CONFIG_INVALID', `rate limit: ratePerSecond must be a positive number, not ${ratePerSecond}`, { detail: 'rate limit: ratePerSecond must be a positive number' })
    }
    if (!(Number.isFinite(burst) && burst >= 1)) {
      throw new AgentError('ERR_CONFIG_INVALID', `rate limit: burst must be at least 1, not ${burst}`, { detail: 'rate limit: burst must be at least 1' })
    }
    this.perMs = ratePerSecond / 1000
    this.burst = burst
    this.clock = options.clock
    this.maxKeys = Math.max(1, Math.floor(options.maxKeys ?? DEFAULT_MAX_KEYS))
    this.idleMs = burst / this.perMs
    this.lastSweep = this.clock()
  }

  /** Take one token for `key`, or say how long until one is available. */
  take(key: string): TakeResult {
    const now = this.clock()
    this.sweepIdle(now)
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: this.burst, at: now }
    } else {
      this.buckets.delete(key)
      // max(): a clock that steps back must not drain the bucket or refill it twice.
      const elapsed = Math.max(0, now - bucket.at)
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perMs)
      bucket.at = Math.max(bucket.at, now)
    }
    this.buckets.set(key, bucket)
    this.evictOverflow()
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { ok: true }
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs)) }
  }

  /** The number of buckets held (for tests and the status page). */
  get size(): number {
    return this.buckets.size
  }

  /**
   * Drop buckets idle long enough to be full. Runs at most once per idle period, and walks only
   * the idle head of the LRU order, so its cost is proportional to what it removes.
   */
  private sweepIdle(now: number): void {
    if (now - this.lastSweep < this.idleMs) return
    this.lastSweep = now
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at < this.idleMs) break
      this.buckets.delete(key)
    }
  }

  /**
   * Past maxKeys, forget the least recently used. That key then starts with a full bucket again:
   * a small leniency, and only under a flood of distinct keys (keys are authenticated client ids).
   */
  private evictOverflow(): void {
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) return
      this.buckets.delete(key)
    }
  }
}
