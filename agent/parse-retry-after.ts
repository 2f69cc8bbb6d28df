/**
 * `Retry-After` (RFC 9110 §10.2.3): how long a server that answered 429 (RFC 6585 §4) or 503
 * asks the client to wait, as delay-seconds or as an HTTP-date. Anything else is ignored (the
 * caller backs off as usual): a malformed header is the server's mistake, not a reason to fail.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
const MONTH = `(${MONTHS.join('|')})`
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`)
/** rfc850-date (obsolete): `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`)
/** asctime-date (obsolete): `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`)

/**
 * An HTTP-date (RFC 9110 §5.6.7) as milliseconds since the epoch, in any of the three formats a
 * recipient must accept; undefined for anything else. `nowMs` resolves rfc850's two-digit year:
 * a year more than 50 years ahead is the most recent past year with those digits.
 */
export function parseHttpDate(value: string, nowMs: number): number | undefined {
  const parts = readDateParts(value, nowMs)
  if (!parts) return undefined
  const { year, month, day, hour, minute, second } = parts
  if (hour > 23 || minute > 59 || second > 60) return undefined
  const ms = Date.UTC(year, month, day, hour, minute, second)
  // Date.UTC rolls 31 Feb over into March: such a date is not a date.
  return new Date(ms).getUTCDate() === day ? ms : undefined
}

interface DateParts {
  year: number
  /** 0-based, as Date.UTC takes it. */
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

function readDateParts(value: string, nowMs: number): DateParts | undefined {
  const time = (h: string, mi: string, s: string) => ({ hour: Number(h), minute: Number(mi), second: Number(s) })
  const monthIndex = (name: string) => MONTHS.indexOf(name as (typeof MONTHS)[number])
  let m = IMF_FIXDATE.exec(value)
  if (m) return { year: Number(m[3]), month: monthIndex(m[2]!), day: Number(m[1]), ...time(m[4]!, m[5]!, m[6]!) }
  m = RFC850_DATE.exec(value)
  if (m) {
    const thisYear = new Date(nowMs).getUTCFullYear()
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3])
    if (year > thisYear + 50) year -= 100
    return { year, month: monthIndex(m[2]!), day: Number(m[1]), ...time(m[4]!, m[5]!, m[6]!) }
  }
  m = ASCTIME_DATE.exec(value)
  if (m) return { year: Number(m[6]), month: monthIndex(m[1]!), day: Number(m[2]!.trim()), ...time(m[3]!, m[4]!, m[5]!) }
  return undefined
}

/**
 * The wait a `Retry-After` value asks for, in milliseconds (0 for a date already past), or
 * undefined when it is absent or malformed. A date is measured against the response's own `Date`
 * header when it has one, so a clock difference between us and the server does not count;
 * otherwise against `nowMs`.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number, dateHeader?: string): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = parseHttpDate(text, nowMs)
  if (at === undefined) return undefined
  const serverNow = dateHeader === undefined ? undefined : parseHttpDate(dateHeader.trim(), nowMs)
  return Math.max(0, at - (serverNow ?? nowMs))
}
