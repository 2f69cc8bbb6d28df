import type { Clock } from '../../agent/clock.js'

/**
 * A clock that only moves when told: `advance(ms)` fires the timers that fall due, in order.
 * Shared by the agent and the sandbox in a test, so both agree on "now".
 */
export class FakeClock implements Clock {
  private t: number
  private timers: { at: number; fn: () => void; id: number }[] = []
  private nextId = 0

  constructor(start = Date.UTC(2026, 10, 23, 9, 0, 0)) {
    this.t = start
  }

  now(): Date {
    return new Date(this.t)
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id })
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id)
    }
  }

  async sleep(ms: number): Promise<void> {
    this.t += ms
  }

  /** Move time forward, firing due timers; timers do not run for a jump over them unless asked. */
  advance(ms: number, fireTimers = true): void {
    const target = this.t + ms
    if (fireTimers) {
      for (;;) {
        const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at)[0]
        if (!due) break
        this.timers = this.timers.filter((x) => x !== due)
        this.t = Math.max(this.t, due.at)
        due.fn()
      }
    }
    this.t = target
  }

  pendingTimers(): number {
    return this.timers.length
  }
}
