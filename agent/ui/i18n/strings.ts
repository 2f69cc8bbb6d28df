import { describeMoment } from '../../../protocol/time/describe-moment.js'
import { LANGUAGE_TAGS, type Language } from './language.js'
import { EN, type Strings } from './strings-en.js'
import { FR } from './strings-fr.js'
import { NL } from './strings-nl.js'

export type { Strings } from './strings-en.js'

const TABLES: Record<Language, Strings> = { en: EN, nl: NL, fr: FR }

/** The string table of `language`. */
export function stringsFor(language: Language): Strings {
  return TABLES[language]
}

/** A profile's name in the table's language; the catalogue's English label for the rarer ones. */
export function profileName(strings: Strings, profile: { id: string; label: string }): string {
  return strings.profiles[profile.id] ?? profile.label
}

/** An environment's label (as `Environment.label` spells it) in the table's language. */
export function environmentName(strings: Strings, label: string): string {
  return strings.environments[label] ?? label
}

/** Times on pages and in the tray; `timeZone` undefined means the system's. */
export interface TimeFormat {
  language: Language
  timeZone?: string | undefined
}

/**
 * `tomorrow 19:57 (in 23 h)`, `12 Dec 19:57 (in 277 days)`, `14:05 (in 3 h)`: when a session
 * ends or renews, on the pages and in the tray. The day whenever it is not today, and the
 * distance from `now` (protocol/time/describe-moment.ts).
 */
export function formatMoment(date: Date, format: TimeFormat, now: Date): string {
  return describeMoment(date, { now, language: format.language, timeZone: format.timeZone }).text
}

/** `14:05`: a time of today only (use formatMoment for anything that may be another day). */
export function formatTime(date: Date, format: TimeFormat): string {
  return new Intl.DateTimeFormat(LANGUAGE_TAGS[format.language], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...zone(format) }).format(date)
}

/** `23/11/2026 14:05:09`: dates in tables (the privacy log, paired applications). */
export function formatDateTime(date: Date, format: TimeFormat): string {
  return new Intl.DateTimeFormat(LANGUAGE_TAGS[format.language], {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    ...zone(format),
  }).format(date)
}

function zone(format: TimeFormat): { timeZone?: string } {
  return format.timeZone === undefined ? {} : { timeZone: format.timeZone }
}
