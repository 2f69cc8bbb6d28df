/**
 * The languages of the agent's pages and tray: Belgian users read Dutch or French, and eHealth's
 * pages and notices come in both; English for everyone else.
 */

export const LANGUAGES = ['en', 'nl', 'fr'] as const
export type Language = (typeof LANGUAGES)[number]

/** Each language named in itself, for the switcher (a Dutch reader looks for "Nederlands"). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', nl: 'Nederlands', fr: 'Français' }

/** BCP 47 tags for dates and times: Belgian conventions in every language. */
export const LANGUAGE_TAGS: Record<Language, string> = { en: 'en-BE', nl: 'nl-BE', fr: 'fr-BE' }

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}

/**
 * The language of a POSIX locale (`nl_BE.UTF-8`, `fr_BE@euro`), a BCP 47 tag (`fr-BE`) or a
 * `LANGUAGE` list (`nl:en`); undefined for `C`, `POSIX` and languages we do not have.
 *
 * @example
 * ```ts
 * languageFromLocale('nl_BE.UTF-8') // 'nl'
 * languageFromLocale('C.UTF-8')     // undefined
 * ```
 */
export function languageFromLocale(locale: string | undefined): Language | undefined {
  if (!locale) return undefined
  for (const entry of locale.split(':')) {
    const code = /^([A-Za-z]{2,3})(?:[-_.@]|$)/.exec(entry.trim())?.[1]?.toLowerCase()
    if (isLanguage(code)) return code
  }
  return undefined
}

/**
 * The language to show: the one the user picked on a page (cookie), else the one in the
 * settings, else the system's, else English.
 */
export function chooseLanguage(picked: unknown, setting: Language | undefined, system: Language | undefined): Language {
  if (isLanguage(picked)) return picked
  return setting ?? system ?? 'en'
}
