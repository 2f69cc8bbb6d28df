import { describe, expect, it } from 'vitest'
import { createMemoryKeyLock } from './memory-key-lock.js'

describe('memory key lock: locked → unlocking → unlocked, and lock from anywhere', () => {
  it('an unlock that finishes holds the key; lock drops it', () => {
    const lock = createMemoryKeyLock<string>()
    expect(lock.state).toBe('locked')
    const ticket = lock.beginUnlock()
    expect(lock.state).toBe('unlocking')
    expect(lock.finishUnlock(ticket, 'key')).toBe(true)
    expect(lock.state).toBe('unlocked')
    expect(lock.key).toBe('key')
    lock.lock()
    expect(lock.state).toBe('locked')
    expect(lock.key).toBeUndefined()
  })

  it('a lock during an unlock voids it: the key never appears', () => {
    const lock = createMemoryKeyLock<string>()
    const ticket = lock.beginUnlock()
    lock.lock()
    expect(lock.finishUnlock(ticket, 'key')).toBe(false)
    expect(lock.state).toBe('locked')
    expect(lock.key).toBeUndefined()
  })

  it('a failed unlock goes back to locked, unless another one still runs', () => {
    const lock = createMemoryKeyLock<string>()
    const first = lock.beginUnlock()
    const second = lock.beginUnlock()
    lock.abandonUnlock(first)
    expect(lock.state).toBe('unlocking')
    lock.abandonUnlock(second)
    expect(lock.state).toBe('locked')
  })

  it('a ticket from before a lock stays void after a new unlock began', () => {
    const lock = createMemoryKeyLock<string>()
    const old = lock.beginUnlock()
    lock.lock()
    const fresh = lock.beginUnlock()
    expect(lock.finishUnlock(old, 'stale')).toBe(false)
    expect(lock.state).toBe('unlocking')
    expect(lock.finishUnlock(fresh, 'fresh')).toBe(true)
    expect(lock.key).toBe('fresh')
  })
})
