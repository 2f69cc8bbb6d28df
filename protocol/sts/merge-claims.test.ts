import { describe, expect, it } from 'vitest'
import { findDuplicateClaimUris, mergeClaims } from './merge-claims.js'

const NS1 = 'urn:be:fgov:identification-namespace'
const NS2 = 'urn:be:fgov:certified-namespace:ehealth'

describe('mergeClaims', () => {
  it('attributes first with joined values, then designators not yet emitted', () => {
    expect(
      mergeClaims({
        attributes: [
          { name: 'urn:a', namespace: NS1, values: ['1'] },
          { name: 'urn:b', namespace: NS1, values: ['2', '3'] },
        ],
        designators: [
          { name: 'urn:c', namespace: NS2 },
          { name: 'urn:a', namespace: NS1 }, // already provided: dropped
          { name: 'urn:c', namespace: NS1 }, // namespace duplicate: merged
          { name: 'urn:b', namespace: NS2 }, // provided under another namespace: dropped
          { name: 'urn:d', namespace: NS2 },
        ],
      }),
    ).toEqual([{ uri: 'urn:a', value: '1' }, { uri: 'urn:b', value: '2;3' }, { uri: 'urn:c' }, { uri: 'urn:d' }])
  })

  it('refuses a provided attribute given twice, even with equal values', () => {
    expect(() =>
      mergeClaims({
        attributes: [
          { name: 'urn:a', namespace: NS1, values: ['1'] },
          { name: 'urn:a', namespace: NS1, values: ['1'] },
        ],
        designators: [],
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_DUPLICATE_CLAIM', data: { uri: 'urn:a' } }))
  })

  it('compares URIs exactly (no case folding)', () => {
    expect(
      mergeClaims({ attributes: [], designators: [{ name: 'urn:A', namespace: NS1 }, { name: 'urn:a', namespace: NS1 }] }),
    ).toEqual([{ uri: 'urn:A' }, { uri: 'urn:a' }])
  })
})

describe('findDuplicateClaimUris', () => {
  it('lists each repeated URI once, in the order their repetition is met', () => {
    expect(findDuplicateClaimUris([{ uri: 'b' }, { uri: 'a' }, { uri: 'a' }, { uri: 'b' }, { uri: 'a' }, { uri: 'c' }])).toEqual(['a', 'b'])
    expect(findDuplicateClaimUris([{ uri: 'a' }, { uri: 'b' }])).toEqual([])
    expect(findDuplicateClaimUris([])).toEqual([])
  })
})
