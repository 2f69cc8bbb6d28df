/**
 * The life of a private key held in memory — the eHealth keystore's key once decrypted, a session
 * key once generated — as an explicit state machine, the counterpart of the PKCS#11 source's
 * (pkcs11-state-machine.ts) for keys that live in this process:
 *
 * ```
 * locked ──beginUnlock──▶ unlocking ──finishUnlock──▶ unlocked
 *   ▲                        │                           │
 *   └──────────lock──────────┴────────────lock───────────┘
 * ```
 *
 * `lock` is legal in every state and wins over every unlock in flight: an unlock that began before
 * it can no longer finish (its ticket is void), so a logout during a sign-in (the user presses
 * "sign out" while the keystore is still being decrypted) never leaves a key behind.
 */

export type MemoryKeyStateName = 'locked' | 'unlocking' | 'unlocked'

/** Proof that an unlock began, valid until the next `lock`. */
export interface UnlockTicket {
  readonly generation: number
}

export interface MemoryKeyLock<K> {
  readonly state: MemoryKeyStateName
  /** The key, in state unlocked only. */
  readonly key: K | undefined
  /** locked | unlocking → unlocking: an unlock starts (reading, decrypting, generating). */
  beginUnlock(): UnlockTicket
  /**
   * unlocking → unlocked with `key`, if no `lock` came since `ticket` was issued; false (and the
   * key dropped) when one did.
   */
  finishUnlock(ticket: UnlockTicket, key: K): boolean
  /** The unlock of `ticket` failed: back to locked unless another one is still running. */
  abandonUnlock(ticket: UnlockTicket): void
  /** Any state → locked: the key is dropped and every unlock in flight voided. */
  lock(): void
}

/**
 * A new lock, in state locked.
 *
 * @example
 * ```ts
 * const lock = createMemoryKeyLock<KeyObject>()
 * const ticket = lock.beginUnlock()
 * const key = await decrypt(file, password)
 * if (!lock.finishUnlock(ticket, key)) throw new AgentError('ERR_NOT_LOGGED_IN', 'locked during the sign-in')
 * ```
 */
export function createMemoryKeyLock<K>(): MemoryKeyLock<K> {
  let generation = 0
  let pending = 0
  let key: K | undefined

  return {
    get state(): MemoryKeyStateName {
      if (key !== undefined) return 'unlocked'
      return pending > 0 ? 'unlocking' : 'locked'
    },
    get key() {
      return key
    },
    beginUnlock() {
      pending++
      return { generation }
    },
    finishUnlock(ticket, unlocked) {
      if (ticket.generation !== generation) return false
      pending = Math.max(0, pending - 1)
      key = unlocked
      return true
    },
    abandonUnlock(ticket) {
      if (ticket.generation === generation) pending = Math.max(0, pending - 1)
    },
    lock() {
      generation++
      pending = 0
      // Dropping the last reference lets OpenSSL free the key; it clears RSA private components
      // on free (BN_clear_free). JS cannot zero a KeyObject itself.
      key = undefined
    },
  }
}
