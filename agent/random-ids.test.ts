import { describe, expect, it } from 'vitest'
import { createRandomIds } from './random-ids.js'

describe('createRandomIds', () => {
  it('gives 32 hex digits per id, all different, across several refills of the pool', () => {
    const next = createRandomIds(64) // 4 ids per fill
    const ids = Array.from({ length: 1000 }, next)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('draws every digit value (the bytes come from the generator, not a counter)', () => {
    const next = createRandomIds()
    const digits = new Set(Array.from({ length: 200 }, next).join(''))
    expect(digits.size).toBe(16)
  })

  it('refuses a pool that is not whole ids', () => {
    expect(() => createRandomIds(20)).toThrow(RangeError)
    expect(() => createRandomIds(0)).toThrow(RangeError)
  })
})
