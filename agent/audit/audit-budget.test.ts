import { describe, expect, it } from 'vitest'
import { budgetState, describeState, describeUsage, retentionCutoff } from './audit-budget.js'

describe('privacy-log retention and budget', () => {
  it('counts retention in calendar months, clamping to the end of a shorter month', () => {
    expect(new Date(retentionCutoff(new Date('2025-03-15T10:00:00Z'), 24)).toISOString()).toBe('2023-03-15T10:00:00.000Z')
    expect(new Date(retentionCutoff(new Date('2025-03-31T10:00:00Z'), 1)).toISOString()).toBe('2025-02-28T10:00:00.000Z')
    expect(new Date(retentionCutoff(new Date('2024-03-31T00:00:00Z'), 1)).toISOString()).toBe('2024-02-29T00:00:00.000Z')
    expect(new Date(retentionCutoff(new Date('2025-01-10T00:00:00Z'), 13)).toISOString()).toBe('2023-12-10T00:00:00.000Z')
  })

  it('is ok below the warning level, nearly full from it, full at the budget', () => {
    const limits = { retentionMonths: 24, budgetBytes: 1000, warnPercent: 90 }
    expect(budgetState(899, limits)).toBe('ok')
    expect(budgetState(900, limits)).toBe('nearly-full')
    expect(budgetState(1000, limits)).toBe('full')
    expect(describeUsage(3.5 * 1024 * 1024, 1024 * 1024 * 1024)).toBe('3.5 MiB of 1024 MiB (0%)')
    expect(describeState({ state: 'ok', usedBytes: 1, budgetBytes: 10 })).toBeUndefined()
    expect(describeState({ state: 'failing', usedBytes: 1, budgetBytes: 10 }, 'EACCES')).toMatch(/could not be written \(EACCES\)/)
  })
})
