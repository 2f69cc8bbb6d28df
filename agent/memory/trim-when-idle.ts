/**
 * Give memory back after a burst of requests, once the agent is idle again. Under load V8 grows
 * its young generation (up to 16 MB per semi-space on 64-bit) and keeps it: a collection shrinks
 * it only when V8 measures a low allocation rate, and an agent that goes quiet after a burst
 * runs no collection at all, so its RSS would stay at the level of the load for hours. Here, once
 * `minRequests` were answered and then none for a whole `intervalMs`, up to `rounds` full
 * collections run, one per interval while it stays idle (the first one after a burst may still
 * see the burst's allocation rate and leave the young generation as it is; the next ones do not).
 * A request arriving ends the idle period; nothing runs while requests keep coming.
 */
export interface TrimWhenIdleOptions {
  /** A count that grows with every request answered. */
  answered: () => number
  /** One full garbage collection. */
  collect: () => void
  /** How long without a request counts as idle, and how often it is checked. */
  intervalMs: number
  /** Requests that make a burst worth trimming after (a few scattered calls are not). */
  minRequests: number
  /** Collections per idle period. */
  rounds: number
  /** A one-shot timer that returns its cancel (the agent's clock). */
  setTimer: (ms: number, fn: () => void) => () => void
}

/** Start watching; returns the function that stops it. */
export function trimWhenIdle(options: TrimWhenIdleOptions): () => void {
  const { intervalMs, minRequests, rounds } = options
  if (!(intervalMs > 0) || !Number.isInteger(minRequests) || minRequests < 1 || !Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError('trimWhenIdle: intervalMs > 0, minRequests and rounds positive integers')
  }
  let seen = options.answered()
  /** Requests since the last trim. */
  let sinceTrim = 0
  let left = 0
  let cancel: (() => void) | undefined
  const check = (): void => {
    const now = options.answered()
    if (now !== seen) {
      sinceTrim += now - seen
      seen = now
      left = sinceTrim >= minRequests ? rounds : 0
    } else if (left > 0) {
      left--
      sinceTrim = 0
      options.collect()
    }
    cancel = options.setTimer(intervalMs, check)
  }
  cancel = options.setTimer(intervalMs, check)
  return () => {
    cancel?.()
    cancel = undefined
  }
}
