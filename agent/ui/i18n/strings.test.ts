import { describe, expect, it } from 'vitest'
import { PROFILES } from '../../../protocol/sts/profiles.js'
import { LANGUAGES } from './language.js'
import { environmentName, formatDateTime, formatTime, profileName, stringsFor } from './strings.js'

/** Every leaf path of a table, with the kind of value there. */
function shape(value: unknown, path = ''): string[] {
  if (typeof value === 'function') return [`${path}:function/${value.length}`]
  if (typeof value === 'string') return [`${path}:string`]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => shape(v, `${path}.${k}`))
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (typeof value === 'function') return []
  return Object.values(value as Record<string, unknown>).flatMap(strings)
}

describe('the three string tables', () => {
  it('have the same entries (nothing falls back to English on a Dutch or French page)', () => {
    const en = shape(stringsFor('en')).sort()
    for (const language of LANGUAGES) expect(shape(stringsFor(language)).sort(), language).toEqual(en)
  })

  it('have no empty string', () => {
    for (const language of LANGUAGES) for (const s of strings(stringsFor(language))) expect(s.trim(), language).not.toBe('')
  })

  it('are translated, not copied: most Dutch and French strings differ from the English ones', () => {
    const en = strings(stringsFor('en'))
    for (const language of ['nl', 'fr'] as const) {
      const other = strings(stringsFor(language))
      const same = other.filter((s, i) => s === en[i]).length
      expect(same / other.length, language).toBeLessThan(0.15)
    }
  })

  it('name profiles and environments in each language', () => {
    expect(profileName(stringsFor('nl'), PROFILES.doctor)).toBe('Arts')
    expect(profileName(stringsFor('fr'), PROFILES.doctor)).toBe('Médecin')
    expect(profileName(stringsFor('fr'), PROFILES['org:guardpost'])).toBe(PROFILES['org:guardpost'].label)
    expect(environmentName(stringsFor('nl'), 'Sandbox (simulated eHealth)')).toBe('Sandbox (nagebootste eHealth)')
  })

  it('format times the Belgian way, in the given zone', () => {
    const at = new Date(Date.UTC(2026, 10, 23, 14, 5, 9))
    expect(formatTime(at, { language: 'nl', timeZone: 'UTC' })).toBe('14:05')
    expect(formatTime(at, { language: 'fr', timeZone: 'Europe/Brussels' })).toBe('15:05')
    expect(formatDateTime(at, { language: 'fr', timeZone: 'UTC' })).toBe('23/11/2026 14:05:09')
  })
})
