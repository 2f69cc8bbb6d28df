import { describe, expect, it } from 'vitest'
import { formatXsdDateTime, parseXsdDateTime, type XsdDateTimeOptions } from './date-time.js'

/** A Date for a UTC year, month, day, ... that does not map years 0..99 to 19xx (as Date.UTC does). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, ms)
  return date
}

function parsed(text: string, options?: XsdDateTimeOptions): Date {
  const read = parseXsdDateTime(text, options)
  if (!read.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${read.problem}`)
  return read.value
}

function problemOf(text: string, options?: XsdDateTimeOptions): string {
  const read = parseXsdDateTime(text, options)
  if (read.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused, got ${read.value.toISOString()}`)
  return read.problem
}

function written(date: Date): string {
  const out = formatXsdDateTime(date)
  if (!out.ok) throw new Error(`expected ${String(date)} to be written, got: ${out.problem}`)
  return out.value
}

describe('parseXsdDateTime', () => {
  it('reads the year 0050 as the year 50, not 1950', () => {
    const date = parsed('0050-06-15T12:00:00Z')
    expect(date.getUTCFullYear()).toBe(50)
    expect(date.getTime()).toBe(utc(50, 6, 15, 12).getTime())
    expect(parsed('0001-01-01T00:00:00Z').getUTCFullYear()).toBe(1)
    expect(parsed('0099-12-31T23:59:59Z').getUTCFullYear()).toBe(99)
  })

  it.each([
    ['2025-01-10T09:00:00Z', utc(2025, 1, 10, 9)],
    ['2025-01-10T09:00:00.5Z', utc(2025, 1, 10, 9, 0, 0, 500)],
    ['2025-01-10T09:00:00.0070Z', utc(2025, 1, 10, 9, 0, 0, 7)],
    ['2025-01-10T09:00:00.1239999Z', utc(2025, 1, 10, 9, 0, 0, 123)], // .NET's seven digits, truncated
    ['2025-01-10T10:00:00.000+01:00', utc(2025, 1, 10, 9)],
    ['2025-01-10T03:30:00-05:30', utc(2025, 1, 10, 9)],
    ['2025-01-10T23:00:00+14:00', utc(2025, 1, 10, 9)],
    ['2025-01-09T19:00:00-14:00', utc(2025, 1, 10, 9)],
    ['2025-01-10T09:00:00-00:00', utc(2025, 1, 10, 9)],
    ['2024-02-29T00:00:00Z', utc(2024, 2, 29)],
    ['2000-02-29T00:00:00Z', utc(2000, 2, 29)],
    ['2025-01-10T24:00:00Z', utc(2025, 1, 11)], // §3.2.7: the first instant of the next day
    ['2025-12-31T24:00:00.000Z', utc(2026, 1, 1)],
    ['2025-01-10T24:00:00+01:00', utc(2025, 1, 10, 23)],
    ['12025-01-10T09:00:00Z', utc(12025, 1, 10, 9)],
    [' 2025-01-10T09:00:00Z\n', utc(2025, 1, 10, 9)], // whiteSpace collapse
    ['0001-01-01T00:00:00+01:00', utc(0, 12, 31, 23)], // one hour before 0001 in UTC: still an instant
  ])('%j', (text, expected) => {
    expect(parsed(text).toISOString()).toBe(expected.toISOString())
  })

  it('reads a value without a zone as UTC only when asked to', () => {
    expect(problemOf('2025-01-10T09:00:00')).toBe('it has no timezone (add Z for UTC)')
    expect(parsed('2025-01-10T09:00:00', { missingTimezone: 'utc' }).toISOString()).toBe('2025-01-10T09:00:00.000Z')
  })

  it("accepts Java's +0100 only when asked to", () => {
    expect(problemOf('2025-01-10T10:00:00+0100')).toBe('the offset +0100 needs a colon (+01:00)')
    expect(parsed('2025-01-10T10:00:00+0100', { offsetWithoutColon: true }).toISOString()).toBe('2025-01-10T09:00:00.000Z')
    expect(problemOf('2025-01-10T10:00:00+1500', { offsetWithoutColon: true })).toBe('the offset +1500 is out of range (at most 14:00)')
  })

  it.each([
    ['2025-02-29T00:00:00Z', 'there is no 29 February in 2025'],
    ['1900-02-29T00:00:00Z', 'there is no 29 February in 1900'],
    ['2025-02-30T00:00:00Z', 'there is no 30 February in 2025'],
    ['2025-04-31T00:00:00Z', 'there is no 31 April in 2025'],
    ['2025-01-00T00:00:00Z', 'there is no 0 January in 2025'],
    ['2025-13-10T09:00:00Z', 'there is no month 13'],
    ['2025-00-10T09:00:00Z', 'there is no month 00'],
    ['2025-01-10T24:00:01Z', 'hour 24 is allowed only as 24:00:00'],
    ['2025-01-10T24:00:00.001Z', 'hour 24 is allowed only as 24:00:00'],
    ['2025-01-10T24:01:00Z', 'hour 24 is allowed only as 24:00:00'],
    ['2025-01-10T25:00:00Z', 'hour 25 is out of range (00-24)'],
    ['2025-01-10T09:60:00Z', 'minute 60 is out of range (00-59)'],
    ['2025-01-10T09:00:60Z', 'second 60 is out of range (00-59)'],
    ['0000-01-01T00:00:00Z', 'there is no year 0000'],
    ['-0001-01-01T00:00:00Z', 'years before 0001 (BCE) are not supported'],
    ['010000-01-01T00:00:00Z', 'a year of more than four digits cannot start with 0'],
    ['275761-01-01T00:00:00Z', 'years after 275760 are not supported'],
    ['275760-12-31T00:00:00Z', 'it is outside the dates this agent handles (0001 to 275760)'],
    ['2025-01-10T09:00:00+15:00', 'the offset +15:00 is out of range (at most 14:00)'],
    ['2025-01-10T09:00:00+14:30', 'the offset +14:30 is out of range (at most 14:00)'],
    ['2025-01-10T09:00:00+01:60', 'the offset +01:60 is out of range (at most 14:00)'],
  ])('refuses %j: %s', (text, problem) => {
    expect(problemOf(text)).toBe(problem)
  })

  it.each([
    '',
    '2025-01-10',
    '2025-1-10T09:00:00Z',
    '2025-01-10T9:00:00Z',
    '125-01-10T09:00:00Z',
    '+2025-01-10T09:00:00Z',
    '2025-01-10t09:00:00Z',
    '2025-01-10T09:00:00z',
    '2025-01-10 09:00:00Z',
    '2025-01-10T09:00:00.Z',
    '2025-01-10T09:00Z',
    '2025-01-10T09:00:00+1:00',
    '2025-01-10T09:00:00 Z',
    '2025-01-10T09:00:00Z\u00A0', // no-break space is not XML Schema white space
    'Fri, 10 Jan 2025 09:00:00 GMT',
    '２０２５-01-10T09:00:00Z', // full-width digits are not \d
  ])('refuses %j as not of the form', (text) => {
    expect(problemOf(text, { missingTimezone: 'utc', offsetWithoutColon: true })).toMatch(/^it is not of the form /)
  })

  it('refuses what is not text', () => {
    expect(problemOf(undefined as unknown as string)).toBe('it is not text')
  })
})

describe('formatXsdDateTime', () => {
  it('writes UTC with milliseconds', () => {
    expect(written(utc(2025, 1, 10, 9, 0, 0, 7))).toBe('2025-01-10T09:00:00.007Z')
  })

  it('writes the year 50 with four digits, and years after 9999 with as many as they need', () => {
    expect(written(utc(50, 6, 15, 12))).toBe('0050-06-15T12:00:00.000Z')
    expect(written(utc(1, 1, 1))).toBe('0001-01-01T00:00:00.000Z')
    expect(written(utc(10000, 1, 1))).toBe('10000-01-01T00:00:00.000Z')
    expect(written(new Date(8.64e15))).toBe('275760-09-13T00:00:00.000Z')
  })

  it('refuses what it cannot write', () => {
    expect(formatXsdDateTime(new Date(NaN))).toEqual({ ok: false, problem: 'it is not a valid date' })
    expect(formatXsdDateTime('2025-01-01' as unknown as Date)).toEqual({ ok: false, problem: 'it is not a valid date' })
    expect(formatXsdDateTime(utc(0, 12, 31))).toEqual({ ok: false, problem: 'years before 0001 (BCE) cannot be written' })
    expect(formatXsdDateTime(new Date(-8.64e15))).toEqual({ ok: false, problem: 'years before 0001 (BCE) cannot be written' })
  })
})

describe('round trips', () => {
  // A fixed-seed generator (mulberry32), so a failure names a value that can be replayed.
  function random(seed: number): () => number {
    let a = seed
    return () => {
      a = (a + 0x6d2b79f5) | 0
      let t = Math.imul(a ^ (a >>> 15), 1 | a)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
  const first = utc(1, 1, 1).getTime()
  const last = 8.64e15

  it('parse(format(date)) is the same instant, for 2000 dates from 0001 to 275760', () => {
    const next = random(12)
    for (let i = 0; i < 2000; i++) {
      // Half in 0001..9999, half anywhere a Date reaches, plus both ends.
      const span = i % 2 === 0 ? utc(10000, 1, 1).getTime() - first : last - first
      const time = i === 0 ? first : i === 1 ? last : first + Math.floor(next() * span)
      const text = written(new Date(time))
      expect(parsed(text).getTime(), text).toBe(time)
    }
  })

  it('format(parse(text)) gives back a text already in UTC with milliseconds', () => {
    const next = random(34)
    const two = (n: number) => String(n).padStart(2, '0')
    for (let i = 0; i < 2000; i++) {
      const year = 1 + Math.floor(next() * (i % 3 === 0 ? 99 : 9999))
      const month = 1 + Math.floor(next() * 12)
      const day = 1 + Math.floor(next() * 28)
      const text = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(Math.floor(next() * 24))}:${two(Math.floor(next() * 60))}:${two(Math.floor(next() * 60))}.${String(Math.floor(next() * 1000)).padStart(3, '0')}Z`
      expect(written(parsed(text))).toBe(text)
    }
  })
})
