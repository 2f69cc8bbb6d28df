import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { formatXsdDateTime, parseXsdDateTime } from './date-time.js'

/**
 * Our xsd:dateTime against libxml2's XML Schema validator (python3-lxml), an implementation we did
 * not write: for each generated value, (1) both agree on whether it is a valid xs:dateTime, and
 * (2) for a valid one, libxml2 places it in [our instant, our instant + 1 ms) — the instant we read,
 * truncated to milliseconds — using the minInclusive / maxExclusive facets, which compare values,
 * not texts (with an offset, within a millisecond more on either side: see below).
 *
 * libxml2 2.9's value comparison (xmlschemastypes.c) is itself wrong in two corners, so there only
 * validity is compared: `xmlSchemaDateNormalize` leaves a zero-offset `24:00:00` on its own day
 * (ordered before the next day's 00:00:00, where §3.2.7.1 puts it), and `_xmlSchemaDateAdd`
 * truncates the seconds toward zero before its floor, so a positive offset on `ss` = 59.x (with a
 * fraction) carries one minute too few. The unit tests pin our instants for both.
 */
function libxml2OrdersReliably(text: string): boolean {
  if (/T24:/.test(text) && !/[+-](0[1-9]|1\d):\d\d$|[+-]00:(0[1-9]|[1-5]\d)$/.test(text)) return false
  if (/:59\.\d*[1-9]\d*\+\d\d:\d\d$/.test(text) && !/\+00:00$/.test(text)) return false
  return true
}

interface Verdict {
  valid: boolean
  /** Whether lower <= value < upper for libxml2; null when no bounds were asked. */
  inRange: boolean | null
}

const SCRIPT = `
import json, sys
from lxml import etree
XS = 'http://www.w3.org/2001/XMLSchema'
def schema(facets):
    s = etree.Element('{%s}schema' % XS, nsmap={'xs': XS})
    el = etree.SubElement(s, '{%s}element' % XS, name='d')
    st = etree.SubElement(el, '{%s}simpleType' % XS)
    r = etree.SubElement(st, '{%s}restriction' % XS, base='xs:dateTime')
    for name, value in facets:
        etree.SubElement(r, '{%s}%s' % (XS, name), value=value)
    return etree.XMLSchema(s)
plain = schema([])
out = []
for case in json.load(sys.stdin):
    doc = etree.fromstring(('<d>%s</d>' % case['text']).encode('utf-8'))
    valid = plain.validate(doc)
    in_range = None
    if valid and case.get('lower') is not None:
        in_range = schema([('minInclusive', case['lower']), ('maxExclusive', case['upper'])]).validate(doc)
    out.append({'valid': valid, 'inRange': in_range})
json.dump(out, sys.stdout)
`

function askLibxml2(cases: { text: string; lower?: string; upper?: string }[]): Verdict[] {
  requireTool('/usr/bin/python3', 'python3')
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import lxml.etree'], { stdio: 'pipe' })
  } catch {
    throw new Error('python3-lxml is not installed; install it with: apt-get install -y python3-lxml')
  }
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as Verdict[]
}

/** mulberry32: a fixed seed, so a disagreement names a value that can be replayed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Values near every rule's edge: years of 1 to 6 digits (with and without a leading zero), days
 * 28 to 32 in every month of leap and common years, hour 24, minutes and seconds up to 61, zones
 * from -15:00 to +15:00 (and none), fractions of 1 to 9 digits. About two in three are valid.
 */
function generate(count: number): string[] {
  const next = random(20250110)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const two = (n: number) => String(n).padStart(2, '0')
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const year =
      next() < 0.88
        ? pick([
            String(int(1, 99)).padStart(4, '0'), // the years Date.UTC would turn into 19xx
            String(int(100, 9999)).padStart(4, '0'),
            pick(['1900', '2000', '2024', '2025', '2100', '2400', '0004', '0100', '0400']), // leap-year rules
            String(int(10000, 275000)),
          ])
        : pick([
            '0' + String(int(10000, 99999)), // a leading zero on more than four digits
            String(int(1, 999)), // fewer than four digits
            '0000',
          ])
    const month = next() < 0.95 ? int(1, 12) : pick([0, 13])
    const day = next() < 0.7 ? int(1, 28) : int(28, 32)
    const hour = next() < 0.9 ? int(0, 23) : 24
    const minute = next() < 0.95 ? int(0, 59) : pick([0, 60])
    const second = next() < 0.9 ? int(0, 59) : pick([59, 60, 61])
    const fraction = next() < 0.5 ? '' : '.' + (next() < 0.3 ? '0'.repeat(int(1, 4)) : Array.from({ length: int(1, 9) }, () => int(0, 9)).join(''))
    const zone = pick(['', 'Z', 'Z', 'Z', offset(next() < 0.9 ? int(0, 14) : 15, pick([0, 0, 0, 30, 45, 59, 60]), next() < 0.5 ? '+' : '-')])
    out.push(`${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction}${zone}`)
  }
  return out
}

function offset(hours: number, minutes: number, sign: string): string {
  return `${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`
}

function write(date: Date): string {
  const written = formatXsdDateTime(date)
  if (!written.ok) throw new Error(`cannot write ${date.getTime()}: ${written.problem}`)
  return written.value
}

describe('xsd:dateTime against libxml2 (python3-lxml XML Schema validation)', () => {
  it('agrees on validity and on the instant for 800 generated values', () => {
    const texts = generate(800)
    const ours = texts.map((text) => parseXsdDateTime(text, { missingTimezone: 'utc' }))
    const cases = texts.map((text, i) => {
      const read = ours[i]!
      if (!read.ok || !libxml2OrdersReliably(text)) return { text }
      // Bounds of the same kind as the value: a timezoned value against UTC bounds, an
      // untimezoned one (read as UTC) against untimezoned bounds (§3.2.7.4: they do not compare).
      // libxml2 keeps seconds as a double and moves a value with an offset to UTC by adding
      // seconds, which can lose a few ULPs below the millisecond (26.162 - 35940 + 35940 is
      // 26.161999…): with an offset, the bounds get one millisecond of slack on either side.
      const zone = /(Z|[+-]\d\d:\d\d)$/.exec(text)?.[1]
      const slack = zone === undefined || zone === 'Z' || zone.endsWith('00:00') ? 0 : 1
      const lower = write(new Date(read.value.getTime() - slack))
      const upper = write(new Date(read.value.getTime() + 1 + slack))
      return zone === undefined ? { text, lower: lower.slice(0, -1), upper: upper.slice(0, -1) } : { text, lower, upper }
    })
    const theirs = askLibxml2(cases)

    const disagreements = texts.flatMap((text, i) => {
      const read = ours[i]!
      const verdict = theirs[i]!
      if (read.ok !== verdict.valid) return [`${text}: we say ${read.ok ? 'valid' : `invalid (${read.problem})`}, libxml2 says ${verdict.valid ? 'valid' : 'invalid'}`]
      if (read.ok && libxml2OrdersReliably(text) && verdict.inRange !== true) return [`${text}: we read ${cases[i]!.lower}, libxml2 places it elsewhere`]
      return []
    })
    expect(disagreements).toEqual([])
    // The generator is worth something only if it produced both kinds, in numbers.
    const valid = ours.filter((r) => r.ok).length
    expect(valid).toBeGreaterThan(400)
    expect(texts.length - valid).toBeGreaterThan(150)
    expect(cases.filter((c) => c.lower !== undefined).length).toBeGreaterThan(350)
  })

  it('the year 0050, hour 24 with an offset and the offsets at ±14:00 mean the same instant to both', () => {
    const texts = ['0050-06-15T12:00:00Z', '0099-12-31T24:00:00+01:00', '2025-01-10T23:00:00+14:00', '2025-01-09T19:00:00-14:00', '2024-02-29T24:00:00.000-05:30']
    const cases = texts.map((text) => {
      const read = parseXsdDateTime(text)
      if (!read.ok) throw new Error(`${text}: ${read.problem}`)
      return { text, lower: write(read.value), upper: write(new Date(read.value.getTime() + 1)) }
    })
    expect(cases.map((c) => c.lower)).toEqual(['0050-06-15T12:00:00.000Z', '0099-12-31T23:00:00.000Z', '2025-01-10T09:00:00.000Z', '2025-01-10T09:00:00.000Z', '2024-03-01T05:30:00.000Z'])
    expect(askLibxml2(cases)).toEqual(texts.map(() => ({ valid: true, inRange: true })))
  })

  it('where we refuse on purpose what libxml2 accepts: BCE years and years no Date can hold', () => {
    const texts = ['-0001-01-01T00:00:00Z', '-2025-06-01T00:00:00Z', '275761-01-01T00:00:00Z', '99999999-01-01T00:00:00Z']
    expect(askLibxml2(texts.map((text) => ({ text })))).toEqual(texts.map(() => ({ valid: true, inRange: null })))
    expect(texts.map((text) => parseXsdDateTime(text).ok)).toEqual([false, false, false, false])
  })
})
