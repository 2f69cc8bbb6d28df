import { describe, expect, it } from 'vitest'
import { parseLocalDateTime } from './parse-local-date-time.js'

describe('parseLocalDateTime', () => {
  it('reads a datetime-local value as wall-clock time in the zone', () => {
    expect(parseLocalDateTime('2026-11-23T14:05', 'UTC')?.toISOString()).toBe('2026-11-23T14:05:00.000Z')
    expect(parseLocalDateTime('2026-11-23T14:05', 'Europe/Brussels')?.toISOString()).toBe('2026-11-23T13:05:00.000Z')
    expect(parseLocalDateTime('2026-07-01T10:00:30', 'Europe/Brussels')?.toISOString()).toBe('2026-07-01T08:00:30.000Z')
  })

  it('refuses anything else', () => {
    for (const bad of ['', '2026-11-23', '23/11/2026 14:05', '2026-11-23T14:05Z', 'now']) expect(parseLocalDateTime(bad, 'UTC')).toBeUndefined()
  })
})
