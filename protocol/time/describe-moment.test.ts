import { describe, expect, it } from 'vitest'
import { describeMoment, type MomentLanguage } from './describe-moment.js'

// A fixed clock and zone: 10 March 2026, 21:57 in Brussels (UTC+1, before the switch to summer time).
const NOW = new Date('2026-03-10T20:57:00Z')
const BRUSSELS = 'Europe/Brussels'
const say = (iso: string, language: MomentLanguage = 'en', timeZone = BRUSSELS) => describeMoment(new Date(iso), { now: NOW, language, timeZone }).text

describe('describeMoment', () => {
  it('today: the time only, with the distance', () => {
    expect(say('2026-03-10T22:20:00Z')).toBe('23:20 (in 83 min)')
    expect(say('2026-03-10T22:30:00Z')).toBe('23:30 (in 2 h)')
    expect(say('2026-03-10T21:02:00Z')).toBe('22:02 (in 5 min)')
    expect(say('2026-03-10T20:57:20Z')).toBe('21:57 (now)')
    expect(say('2026-03-10T08:00:00Z')).toBe('09:00 (13 h ago)')
  })

  it('tomorrow and yesterday by name, other days by date; another year with the year', () => {
    expect(say('2026-03-11T18:57:00Z')).toBe('tomorrow 19:57 (in 22 h)')
    expect(say('2026-03-09T12:00:00Z')).toBe('yesterday 13:00 (33 h ago)')
    expect(say('2026-12-12T18:57:00Z')).toBe('12 Dec 19:57 (in 277 days)')
    expect(say('2027-01-03T07:00:00Z')).toBe('3 Jan 2027 08:00 (in 298 days)')
    expect(say('2026-03-12T20:57:00Z')).toBe('12 Mar 21:57 (in 2 days)')
  })

  it('the day is the day in the zone, not in UTC: 00:30 in Brussels is already tomorrow', () => {
    expect(say('2026-03-10T23:30:00Z')).toBe('tomorrow 00:30 (in 3 h)')
    expect(say('2026-03-10T23:30:00Z', 'en', 'UTC')).toBe('23:30 (in 3 h)')
    // Summer time: the same UTC hour is one hour later on the clock.
    expect(say('2026-07-01T17:00:00Z')).toBe('1 Jul 19:00 (in 113 days)')
  })

  it('Dutch and French', () => {
    expect(say('2026-03-11T18:57:00Z', 'nl')).toBe('morgen 19:57 (over 22 u)')
    expect(say('2026-03-11T18:57:00Z', 'fr')).toBe('demain 19:57 (dans 22 h)')
    expect(say('2026-12-12T18:57:00Z', 'nl')).toBe('12 dec 19:57 (over 277 dagen)')
    expect(say('2026-12-12T18:57:00Z', 'fr')).toBe('12 déc. 19:57 (dans 277 jours)')
    expect(say('2026-03-09T12:00:00Z', 'nl')).toBe('gisteren 13:00 (33 u geleden)')
    expect(say('2026-03-09T12:00:00Z', 'fr')).toBe('hier 13:00 (il y a 33 h)')
    expect(say('2026-03-10T21:02:00Z', 'fr')).toBe('22:02 (dans 5 min)')
    expect(say('2026-03-10T20:57:20Z', 'nl')).toBe('21:57 (nu)')
    expect(say('2026-03-11T20:57:00Z', 'nl').endsWith('(over 24 u)')).toBe(true)
    expect(say('2026-03-13T20:57:00Z', 'fr')).toBe('13 mars 21:57 (dans 3 jours)')
  })

  it('parts: when and relative apart', () => {
    expect(describeMoment(new Date('2026-03-11T18:57:00Z'), { now: NOW, language: 'en', timeZone: BRUSSELS })).toEqual({ when: 'tomorrow 19:57', relative: 'in 22 h', text: 'tomorrow 19:57 (in 22 h)' })
  })
})
