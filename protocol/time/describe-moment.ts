/**
 * A moment as people say it, for the agent's pages, its tray and the CLI: the time, with the day
 * whenever it is not today ("tomorrow 19:57", "12 Dec 19:57", "3 Jan 2027 08:00"), and how far
 * it is from now ("in 23 h", "5 min ago"). A bare "19:57" on a session that ends tomorrow reads
 * as "this evening"; the day and the hint leave no doubt.
 *
 * Pure: the caller gives `now` and the time zone. Only numbers come from Intl (the calendar day
 * and the time in the zone); the words are this module's, so the same input gives the same text
 * on every machine.
 *
 * @module
 */

/** The languages of the agent's pages. */
export type MomentLanguage = 'en' | 'nl' | 'fr'

export interface MomentOptions {
  now: Date
  language: MomentLanguage
  /** An IANA zone (`Europe/Brussels`); undefined: the runtime's default zone. */
  timeZone: string | undefined
}

/** A moment in words: `day` is empty today; `text` is `when (relative)`. */
export interface DescribedMoment {
  /** `19:57`, `tomorrow 19:57`, `12 Dec 19:57`. */
  when: string
  /** `in 23 h`, `5 min ago`, `now`. */
  relative: string
  /** `tomorrow 19:57 (in 23 h)`. */
  text: string
}

interface Words {
  tomorrow: string
  yesterday: string
  months: readonly string[]
  now: string
  future: (amount: string) => string
  past: (amount: string) => string
  minutes: (n: number) => string
  hours: (n: number) => string
  days: (n: number) => string
}

const WORDS: Record<MomentLanguage, Words> = {
  en: {
    tomorrow: 'tomorrow',
    yesterday: 'yesterday',
    months: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
    now: 'now',
    future: (a) => `in ${a}`,
    past: (a) => `${a} ago`,
    minutes: (n) => `${n} min`,
    hours: (n) => `${n} h`,
    days: (n) => (n === 1 ? '1 day' : `${n} days`),
  },
  nl: {
    tomorrow: 'morgen',
    yesterday: 'gisteren',
    months: ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'],
    now: 'nu',
    future: (a) => `over ${a}`,
    past: (a) => `${a} geleden`,
    minutes: (n) => `${n} min`,
    hours: (n) => `${n} u`,
    days: (n) => (n === 1 ? '1 dag' : `${n} dagen`),
  },
  fr: {
    tomorrow: 'demain',
    yesterday: 'hier',
    months: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'],
    now: 'maintenant',
    future: (a) => `dans ${a}`,
    past: (a) => `il y a ${a}`,
    minutes: (n) => `${n} min`,
    hours: (n) => `${n} h`,
    days: (n) => (n === 1 ? '1 jour' : `${n} jours`),
  },
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * `at` in words, seen from `now` in `timeZone`.
 *
 * @example
 * ```ts
 * const now = new Date('2026-03-10T20:57:00Z')
 * describeMoment(new Date('2026-03-11T18:57:00Z'), { now, language: 'en', timeZone: 'Europe/Brussels' }).text
 * // 'tomorrow 19:57 (in 22 h)'
 * ```
 */
export function describeMoment(at: Date, options: MomentOptions): DescribedMoment {
  const words = WORDS[options.language]
  const target = partsIn(at, options.timeZone)
  const today = partsIn(options.now, options.timeZone)
  const time = `${pad(target.hour)}:${pad(target.minute)}`
  const days = target.dayNumber - today.dayNumber
  let day: string
  if (days === 0) day = ''
  else if (days === 1) day = words.tomorrow
  else if (days === -1) day = words.yesterday
  else day = `${target.day} ${words.months[target.month - 1]}${target.year === today.year ? '' : ` ${target.year}`}`
  const when = day ? `${day} ${time}` : time
  const relative = describeDistance(at.getTime() - options.now.getTime(), words)
  return { when, relative, text: `${when} (${relative})` }
}

/** "in 23 h", "5 min ago": minutes up to 90, hours up to 48, then days; rounded. */
function describeDistance(ms: number, words: Words): string {
  const size = Math.abs(ms)
  if (size < MINUTE) return words.now
  const amount = size < 90 * MINUTE ? words.minutes(Math.round(size / MINUTE)) : size < 48 * HOUR ? words.hours(Math.round(size / HOUR)) : words.days(Math.round(size / DAY))
  return ms > 0 ? words.future(amount) : words.past(amount)
}

interface CalendarParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  /** Days since 1970-01-01 of this calendar date (to count days between two dates). */
  dayNumber: number
}

/** The calendar date and the time of `date` in `timeZone`, as numbers. */
function partsIn(date: Date, timeZone: string | undefined): CalendarParts {
  const format = new Intl.DateTimeFormat('en-US', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
    ...(timeZone === undefined ? {} : { timeZone }),
  })
  const parts = format.formatToParts(date)
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value)
  const year = get('year')
  const month = get('month')
  const day = get('day')
  return { year, month, day, hour: get('hour'), minute: get('minute'), dayNumber: Math.round(Date.UTC(year, month - 1, day) / DAY) }
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
