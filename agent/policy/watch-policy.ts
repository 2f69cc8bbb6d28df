import { isAgentError } from '../../protocol/errors.js'
import type { PolicyInEffect } from '../../protocol/policy/policy-schema.js'
import type { PolicyState } from './policy-state.js'

export interface WatchPolicyOptions {
  state: PolicyState
  /** Reads the policy again (the file or the registry key). */
  read: () => Promise<PolicyInEffect>
  /** How often; the registry has no change event Node can wait on, so both kinds are polled. */
  intervalMs: number
  setInterval: (fn: () => void, ms: number) => { clear(): void }
  log: (line: string) => void
}

/**
 * Follow the policy while the agent runs. A changed valid policy applies at once; a changed
 * policy that is not valid is logged and the last valid one stays in force. (At start a bad
 * policy stops the agent; while running, dropping to no policy would silently weaken every
 * user's security until someone noticed, so the agent keeps the stricter known state.)
 * Returns the stop function.
 */
export function watchPolicy(options: WatchPolicyOptions): () => void {
  let running = false
  let lastProblem: string | undefined
  const check = async () => {
    if (running) return
    running = true
    try {
      const next = await options.read()
      lastProblem = undefined
      if (JSON.stringify(next) === JSON.stringify(options.state.current)) return
      options.state.replace(next)
      options.log(next.present ? `admin policy ${next.origin.location}: changed, now in force` : `admin policy ${next.origin.location}: removed, no policy in force`)
    } catch (err) {
      const message = isAgentError(err) ? err.message : (err as Error).message
      // Once per distinct problem, not at every poll.
      if (message !== lastProblem) options.log(`${message}; the last valid policy stays in force`)
      lastProblem = message
    } finally {
      running = false
    }
  }
  const timer = options.setInterval(() => void check(), options.intervalMs)
  return () => timer.clear()
}
