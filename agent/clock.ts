/**
 * Time, injected everywhere in the agent so tests can run renewal, expiry and back-off on a fake
 * clock (every side effect is injected, never ambient).
 */
export interface Clock {
  now(): Date
  /** Run `fn` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void
  sleep(ms: number): Promise<void>
}

/** The real clock. Timers are unref'd: a pending renewal never keeps a finished process alive. */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(ms, fn) {
    // setTimeout's limit is 2^31-1 ms (~24.8 days); re-arm for longer delays.
    const max = 2 ** 31 - 1
    let handle: NodeJS.Timeout
    const arm = (left: number): void => {
      handle = setTimeout(() => (left > max ? arm(left - max) : fn()), Math.min(left, max))
      handle.unref()
    }
    arm(Math.max(0, ms))
    return () => clearTimeout(handle)
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}
