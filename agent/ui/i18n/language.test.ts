import { describe, expect, it } from 'vitest'
import { chooseLanguage, languageFromLocale } from './language.js'

describe('languageFromLocale', () => {
  it.each([
    ['nl_BE.UTF-8', 'nl'],
    ['fr_BE@euro', 'fr'],
    ['fr-BE', 'fr'],
    ['en_GB.UTF-8', 'en'],
    ['nl', 'nl'],
    ['de_DE.UTF-8:fr_BE.UTF-8', 'fr'],
    ['nl:en', 'nl'],
    ['C.UTF-8', undefined],
    ['POSIX', undefined],
    ['de_DE.UTF-8', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (locale, language) => {
    expect(languageFromLocale(locale)).toBe(language)
  })
})

describe('chooseLanguage', () => {
  it('the page cookie, then the settings, then the system, then English', () => {
    expect(chooseLanguage('fr', 'nl', 'en')).toBe('fr')
    expect(chooseLanguage('xx', 'nl', 'fr')).toBe('nl')
    expect(chooseLanguage(undefined, undefined, 'fr')).toBe('fr')
    expect(chooseLanguage(undefined, undefined, undefined)).toBe('en')
  })
})
