import { describe, expect, it, vi } from 'vitest'

// The builder's last check reads the ClaimType URIs back from the finished XML. mergeClaims makes
// it unreachable today; this test breaks mergeClaims on purpose to prove the check still stands.
vi.mock('./merge-claims.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./merge-claims.js')>()
  return { ...actual, mergeClaims: () => [{ uri: 'urn:dup', value: '1' }, { uri: 'urn:other' }, { uri: 'urn:dup' }] }
})

const { buildIssueRequest } = await import('./build-rst.js')

describe('buildIssueRequest final check', () => {
  it('refuses XML in which a ClaimType URI appears twice, even if the merge step let it through', () => {
    expect(() =>
      buildIssueRequest({
        claims: { attributes: [], designators: [] },
        created: new Date('2025-01-10T09:00:00Z'),
        expires: new Date('2025-01-10T10:00:00Z'),
        context: 'c',
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_DUPLICATE_CLAIM', data: { uri: 'urn:dup' } }))
  })
})
