import { describe, expect, it } from 'vitest'
import { formatXsdDateTime, parseXsdDateTime } from './xsd-date-time.js'

describe('formatXsdDateTime', () => {
  it('writes UTC with milliseconds', () => {
    expect(formatXsdDateTime(new Date(Date.UTC(2025, 0, 10, 9, 0, 0, 7)))).toBe('2025-01-10T09:00:00.007Z')
  })

  it('refuses invalid dates and years xsd:dateTime cannot hold in this form', () => {
    expect(() => formatXsdDateTime(new Date(NaN))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_PARAMS' }))
    expect(() => formatXsdDateTime(new Date('+010000-01-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_PARAMS' }))
    expect(() => formatXsdDateTime('2025-01-01' as unknown as Date)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_PARAMS' }))
  })
})

describe('parseXsdDateTime', () => {
  it.each([
    ['2025-01-10T09:00:00Z', '2025-01-10T09:00:00.000Z'],
    ['2025-01-10T09:00:00.5Z', '2025-01-10T09:00:00.500Z'],
    ['2025-01-10T10:00:00.000+01:00', '2025-01-10T09:00:00.000Z'],
    ['2025-01-10T10:00:00+0100', '2025-01-10T09:00:00.000Z'],
    ['2025-01-10T09:00:00', '2025-01-10T09:00:00.000Z'], // no zone: read as UTC
    ['0099-03-01T00:00:00Z', '0099-03-01T00:00:00.000Z'], // not mapped to 1999
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    [' 2025-01-10T09:00:00Z\n', '2025-01-10T09:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseXsdDateTime(text).toISOString()).toBe(iso)
  })

  it.each(['', '2025-01-10', '2025-1-10T09:00:00Z', '2025-13-10T09:00:00Z', '2025-02-29T00:00:00Z', '2025-01-10T24:00:00Z', '2025-01-10T09:00:00+15:00', 'Fri, 10 Jan 2025 09:00:00 GMT'])(
    'refuses %j',
    (text) => {
      expect(() => parseXsdDateTime(text)).toThrow(expect.objectContaining({ code: 'ERR_REMOTE_PROTOCOL' }))
    },
  )
})
