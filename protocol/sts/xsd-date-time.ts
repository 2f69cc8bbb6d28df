/**
 * xsd:dateTime for wst:Lifetime: written in UTC with milliseconds, read in every form clients send.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { invalidParam } from './xml-chars.js'

/**
 * `2025-01-10T09:00:00.000Z`: UTC with milliseconds, what EC-style clients send and what the
 * sandbox and golden files compare byte for byte (TC's local offsets would make output depend
 * on the machine's time zone).
 *
 * @throws AgentError `ERR_INVALID_PARAMS` for an invalid Date or a year outside 0001..9999
 * (`toISOString` would write `+010000-…`, which is not xsd:dateTime).
 *
 * @example
 * ```ts
 * formatXsdDateTime(new Date(Date.UTC(2025, 0, 10, 9))) // '2025-01-10T09:00:00.000Z'
 * ```
 */
export function formatXsdDateTime(date: Date, what = 'date'): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw invalidParam(what, `${what} is not a valid Date`)
  const text = date.toISOString()
  if (!/^\d{4}-/.test(text) || text.startsWith('0000')) throw invalidParam(what, `${what} is outside the years 0001..9999`)
  return text
}

const XSD_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Parse an xsd:dateTime as clients write it into wst:Lifetime (reference §3.2): UTC `Z` (EC, us),
 * a `+01:00` offset (TC, JS), .NET's seven fraction digits (EG), and Java's `+0100` without the
 * colon (EC's `yyyy-MM-dd'T'HH:mm:ssZ`, accepted by the real STS). A value without a zone is
 * read as UTC, so the result never depends on the machine's zone. Fractions beyond milliseconds
 * are truncated.
 *
 * @throws AgentError `ERR_REMOTE_PROTOCOL` when the text is not such a date-time.
 *
 * @example
 * ```ts
 * parseXsdDateTime('2025-01-10T10:00:00.000+01:00').toISOString() // '2025-01-10T09:00:00.000Z'
 * ```
 */
export function parseXsdDateTime(text: string, what = 'date-time'): Date {
  const m = XSD_DATE_TIME.exec(text.trim())
  if (!m) throw notDateTime(text, what)
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw notDateTime(text, what)
  let offsetMinutes = 0
  const zone = m[8]
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2))
    const om = Number(digits.slice(2))
    if (oh > 14 || om > 59) throw notDateTime(text, what)
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day) // not Date.UTC: it maps years 0..99 to 1900..1999
  date.setUTCHours(hour, minute, second, millis)
  if (date.getUTCDate() !== day) throw notDateTime(text, what) // 31 April, 29 February 2025, ...
  return new Date(date.getTime() - offsetMinutes * 60_000)
}

function notDateTime(text: string, what: string): AgentError {
  return new AgentError('ERR_REMOTE_PROTOCOL', `${what} "${text.slice(0, 60)}" is not an xsd:dateTime`, { detail: `${what} is not an xsd:dateTime` })
}
