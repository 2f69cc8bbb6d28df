import { AgentError } from '../protocol/errors.js'

interface Run<T> {
  promise: Promise<T>
  controller: AbortController
  /** Callers that can go away (they passed a signal) and still wait. */
  waiting: number
  /** A caller without a signal joined: the run is never abandoned. */
  pinned: boolean
}

/**
 * Work that several callers wait for (one sign-in, one prompt page), started by the first caller
 * of a key and shared by those who come while it runs (threat T11: ten concurrent logins, one
 * prompt). A caller that goes away — its signal aborts, e.g. the CLI's connection closed on
 * Ctrl-C — stops waiting at once with ERR_USER_CANCELLED. The work itself is aborted (its own
 * signal) only when every caller went away: the last one leaving withdraws the prompt, one that
 * stays keeps it. Once every caller left, the next caller of the key starts afresh (after the
 * abandoned run has wound down), so an abandoned prompt never blocks the next one.
 */
export class SharedRuns<T> {
  private readonly runs = new Map<string, Run<T>>()

  /** Wait for the run of `key`, starting it with `start` when none is under way. */
  join(key: string, start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(goneError())
    let run = this.runs.get(key)
    if (!run || run.controller.signal.aborted) {
      // A run every caller left may still be winding down (a sign-in locking its keys again):
      // the next caller starts afresh, once it has.
      const abandoned = run?.promise
      const controller = new AbortController()
      const created: Run<T> = { promise: Promise.resolve(undefined as T), controller, waiting: 0, pinned: false }
      const begin = () => start(controller.signal)
      created.promise = (abandoned ? abandoned.then(begin, begin) : begin()).finally(() => {
        if (this.runs.get(key) === created) this.runs.delete(key)
      })
      // Every caller attaches its own handlers; this one keeps a run everyone left from being
      // reported as an unhandled rejection.
      created.promise.catch(() => undefined)
      this.runs.set(key, created)
      run = created
    }
    if (!signal) {
      run.pinned = true
      return run.promise
    }
    const joined = run
    joined.waiting++
    return new Promise<T>((resolve, reject) => {
      let left = false
      const leave = () => {
        left = true
        joined.waiting--
        reject(goneError())
        if (joined.waiting === 0 && !joined.pinned) joined.controller.abort()
      }
      signal.addEventListener('abort', leave, { once: true })
      joined.promise.then(
        (value) => {
          signal.removeEventListener('abort', leave)
          if (!left) resolve(value)
        },
        (err: unknown) => {
          signal.removeEventListener('abort', leave)
          if (!left) reject(err)
        },
      )
    })
  }

  /** Whether a run of `key` is under way. */
  has(key: string): boolean {
    return this.runs.has(key)
  }
}

/** What a caller that went away gets (nobody reads it: its connection is closed). */
function goneError(): AgentError {
  return new AgentError('ERR_USER_CANCELLED', 'the caller stopped waiting (its request was aborted)')
}
