/**
 * xsd:dateTime (XML Schema 1.0 Second Edition, Part 2 §3.2.7), read into and written from a
 * `Date`: the one implementation SAML, WS-Trust and WS-Security share.
 *
 * Lexical form (§3.2.7.1): `-?yyyy-mm-ddThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?` where
 * - the year has four or more digits, no leading zero when more than four, and is never `0000`;
 * - hour 24 is allowed only as `24:00:00` (fraction all zeros): the first instant of the next day;
 * - the day must exist in its month (§3.2.7, "Day-of-month Values"): no 30 February, no 31 April;
 * - the zone is `Z` or an offset of at most 14:00 (§3.2.7.3);
 * - leading and trailing white space is removed first (the type's whiteSpace facet is `collapse`).
 *
 * Years before 0001 are refused: XML Schema 1.0 and 1.1 disagree on which year `-0001` is, and no
 * eHealth time is BCE. Fractions beyond milliseconds are truncated, as a `Date` has no more.
 *
 * @module
 */

/** What a reading gives: the value, or why the text is not one (for the caller's own error). */
export type XsdReading<T> = { ok: true; value: T } | { ok: false; problem: string }

/** How {@link parseXsdDateTime} treats the two things real senders get wrong or leave out. */
export interface XsdDateTimeOptions {
  /**
   * A value without a zone is valid xsd:dateTime but names no instant (§3.2.7.3: "untimezoned").
   * `'refuse'` (the default) says so; `'utc'` reads it as UTC, so the result never depends on the
   * machine's own zone.
   */
  missingTimezone?: 'refuse' | 'utc'
  /**
   * Also accept an offset without its colon (`+0100`): not xsd:dateTime, but what Java's
   * `SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssZ")` writes, and what the eHealth STS accepts.
   */
  offsetWithoutColon?: boolean
}

// One pass over the whole text; every field is then checked for range below. The year is
// `-?` + digits so that a BCE year gets its own clear refusal rather than "not of the form".
const LEXICAL = /^(-?)(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/

/** XML Schema's white space (#x20, #x9, #xD, #xA), which `collapse` removes at both ends. */
const EDGE_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g

const FORM = 'YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm]'
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
/** What a `Date` can hold (ECMA-262 §21.4.1.1: ±8.64e15 ms around 1970). */
const LAST_YEAR = 275760

/**
 * Read an xsd:dateTime as the instant it names.
 *
 * @example
 * ```ts
 * parseXsdDateTime('2025-01-10T10:00:00.000+01:00') // { ok: true, value: Date(2025-01-10T09:00:00.000Z) }
 * parseXsdDateTime('2025-02-30T00:00:00Z')          // { ok: false, problem: 'there is no 30 February in 2025' }
 * parseXsdDateTime('2025-01-10T09:00:00', { missingTimezone: 'utc' }) // read as 09:00 UTC
 * ```
 */
export function parseXsdDateTime(text: string, options: XsdDateTimeOptions = {}): XsdReading<Date> {
  if (typeof text !== 'string') return fail('it is not text')
  const m = LEXICAL.exec(text.replace(EDGE_SPACE, ''))
  if (!m) return fail(`it is not of the form ${FORM}`)
  const [, sign, yearText, monthText, dayText, hourText, minuteText, secondText, fraction = '', zone] = m as unknown as string[]
  if (sign === '-') return fail('years before 0001 (BCE) are not supported')
  if (yearText.length > 4 && yearText.startsWith('0')) return fail('a year of more than four digits cannot start with 0')
  const year = Number(yearText)
  const month = Number(monthText)
  const day = Number(dayText)
  const hour = Number(hourText)
  const minute = Number(minuteText)
  const second = Number(secondText)
  if (year === 0) return fail('there is no year 0000')
  if (year > LAST_YEAR) return fail(`years after ${LAST_YEAR} are not supported`)
  if (month < 1 || month > 12) return fail(`there is no month ${monthText}`)
  if (day < 1 || day > daysInMonth(year, month)) return fail(`there is no ${day} ${MONTH_NAMES[month - 1]} in ${yearText}`)
  if (minute > 59) return fail(`minute ${minuteText} is out of range (00-59)`)
  if (second > 59) return fail(`second ${secondText} is out of range (00-59)`)
  // §3.2.7 (Second Edition): "24:00:00" is the first instant of the following day; hour 24 with
  // anything but zero minutes and seconds is no time at all.
  const endOfDay = hour === 24
  if (endOfDay && (minute !== 0 || second !== 0 || /[1-9]/.test(fraction))) return fail('hour 24 is allowed only as 24:00:00')
  if (hour > 24) return fail(`hour ${hourText} is out of range (00-24)`)

  let offsetMinutes: number
  if (zone === undefined) {
    if (options.missingTimezone !== 'utc') return fail('it has no timezone (add Z for UTC)')
    offsetMinutes = 0
  } else if (zone === 'Z') {
    offsetMinutes = 0
  } else {
    if (zone.length === 5 && !options.offsetWithoutColon) return fail(`the offset ${zone} needs a colon (${zone.slice(0, 3)}:${zone.slice(3)})`)
    const digits = zone.slice(1).replace(':', '')
    const hours = Number(digits.slice(0, 2))
    const minutes = Number(digits.slice(2))
    if (minutes > 59 || hours > 14 || (hours === 14 && minutes > 0)) return fail(`the offset ${zone} is out of range (at most 14:00)`)
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
  }

  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'))
  const date = new Date(0)
  // Not Date.UTC: it reads the years 0..99 as 1900..1999.
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis) // hour 24 rolls over to the next day, as §3.2.7 says
  const time = date.getTime() - offsetMinutes * 60_000
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) return fail(`it is outside the dates this agent handles (0001 to ${LAST_YEAR})`)
  return { ok: true, value: new Date(time) }
}

/**
 * Write an instant as xsd:dateTime in UTC with milliseconds (`2025-01-10T09:00:00.000Z`): what
 * the eHealth STS and the Technical Connector write, and independent of the machine's zone. A
 * year after 9999 gets as many digits as it needs (§3.2.7.1), never `toISOString`'s `+010000`.
 *
 * @example
 * ```ts
 * formatXsdDateTime(new Date(Date.UTC(2025, 0, 10, 9))) // { ok: true, value: '2025-01-10T09:00:00.000Z' }
 * formatXsdDateTime(new Date(NaN))                      // { ok: false, problem: 'it is not a valid date' }
 * ```
 */
export function formatXsdDateTime(date: Date): XsdReading<string> {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return fail('it is not a valid date')
  const year = date.getUTCFullYear()
  // The common case, on every signature: toISOString writes years 0000..9999 as four digits.
  if (year >= 1 && year <= 9999) return { ok: true, value: date.toISOString() }
  if (year < 1) return fail('years before 0001 (BCE) cannot be written')
  // toISOString is right for 0001..9999 and writes the rest as "+YYYYYY-…"; only the year differs.
  const rest = date.toISOString().replace(/^[+-]?\d+/, '')
  return { ok: true, value: String(year).padStart(4, '0') + rest }
}

/** Days in `month` (1-12) of `year`, proleptic Gregorian (§3.2.7, "Day-of-month Values"). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

function fail(problem: string): { ok: false; problem: string } {
  return { ok: false, problem }
}
