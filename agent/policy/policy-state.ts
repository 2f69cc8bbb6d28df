import type { AgentPolicy, PolicyInEffect, PolicyOrigin } from '../../protocol/policy/policy-schema.js'

/**
 * The admin policy the running agent enforces now. The checks (soap.call targets, extension
 * origins, pairing, use policy, settings changes) read it at each decision, so a policy change
 * applies to the next request without a restart.
 */
export class PolicyState {
  #current: PolicyInEffect
  readonly #listeners = new Set<(policy: PolicyInEffect) => void>()

  constructor(initial: PolicyInEffect) {
    this.#current = initial
  }

  /** No policy: nothing fixed, nothing enforced beyond the user's settings. */
  static none(origin: PolicyOrigin = { kind: 'file', location: '(none)' }): PolicyState {
    return new PolicyState({ origin, present: false, policy: {} })
  }

  get current(): PolicyInEffect {
    return this.#current
  }

  get policy(): AgentPolicy {
    return this.#current.policy
  }

  /** Where the policy comes from, for messages ("set by your administrator's policy <here>"). */
  get source(): string {
    return this.#current.origin.location
  }

  replace(next: PolicyInEffect): void {
    this.#current = next
    for (const listener of this.#listeners) listener(next)
  }

  onChange(listener: (policy: PolicyInEffect) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
