import { describe, expect, it } from 'vitest'
import { parseHttpDate, parseRetryAfter } from './parse-retry-after.js'

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0)

describe('parseHttpDate: the three formats of RFC 9110 §5.6.7', () => {
  it('reads the same instant from IMF-fixdate, rfc850-date and asctime-date', () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37)
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(expected)
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(expected)
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(expected)
  })

  it('agrees with what Date.prototype.toUTCString writes (an implementation we did not write)', () => {
    const instant = Date.UTC(2031, 1, 28, 23, 59, 59)
    expect(parseHttpDate(new Date(instant).toUTCString(), NOW)).toBe(instant)
  })

  it('rfc850\'s two-digit year: more than 50 years ahead means the past century', () => {
    expect(new Date(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT', NOW)!).getUTCFullYear()).toBe(2070)
    expect(new Date(parseHttpDate('Friday, 01-Jan-77 00:00:00 GMT', NOW)!).getUTCFullYear()).toBe(2077 - 100)
  })

  it('refuses what is not an HTTP-date', () => {
    for (const bad of ['', 'tomorrow', '2026-11-23T09:00:00Z', 'Sun, 06 Nov 1994 08:49:37 CET', 'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT']) {
      expect(parseHttpDate(bad, NOW), bad).toBeUndefined()
    }
  })
})

describe('parseRetryAfter: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)', () => {
  it('seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0)
  })

  it('a date, against our clock, or against the response\'s Date header when it has one', () => {
    const in5s = new Date(NOW + 5000).toUTCString()
    expect(parseRetryAfter(in5s, NOW)).toBe(5000)
    // The server's clock is an hour behind ours: its own Date header makes the wait right anyway.
    const serverNow = NOW - 3600_000
    expect(parseRetryAfter(new Date(serverNow + 5000).toUTCString(), NOW, new Date(serverNow).toUTCString())).toBe(5000)
  })

  it('a date already past is no wait; nonsense is no answer', () => {
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0)
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
    expect(parseRetryAfter('-3', NOW)).toBeUndefined()
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined()
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
  })
})
