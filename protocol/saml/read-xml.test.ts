import { DOMParser } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import { readDateTime } from './read-xml.js'

const conditions = (attrs: string) =>
  new DOMParser().parseFromString(`<Conditions xmlns="urn:oasis:names:tc:SAML:1.0:assertion" ${attrs}/>`, 'text/xml').documentElement as unknown as Element

describe('readDateTime (SAML 1.1 time values)', () => {
  it('reads UTC and explicit offsets; the year 0050 stays 0050', () => {
    expect(readDateTime(conditions('NotBefore="2025-01-10T09:00:00.000Z"'), 'NotBefore').toISOString()).toBe('2025-01-10T09:00:00.000Z')
    expect(readDateTime(conditions('NotBefore="2025-01-10T10:00:00+01:00"'), 'NotBefore').toISOString()).toBe('2025-01-10T09:00:00.000Z')
    expect(readDateTime(conditions('NotBefore="0050-01-10T09:00:00Z"'), 'NotBefore').getUTCFullYear()).toBe(50)
  })

  it.each([
    ['2025-01-10T09:00:00', 'it has no timezone'],
    ['2025-02-30T09:00:00Z', 'there is no 30 February in 2025'],
    ['2025-01-10T10:00:00+0100', 'needs a colon'],
    ['tomorrow', 'it is not of the form'],
  ])('refuses %j with ERR_SAML_INVALID naming the attribute and the problem', (value, problem) => {
    expect(() => readDateTime(conditions(`NotOnOrAfter="${value}"`), 'NotOnOrAfter')).toThrow(
      expect.objectContaining({ code: 'ERR_SAML_INVALID', message: expect.stringContaining(problem) }),
    )
    expect(() => readDateTime(conditions(`NotOnOrAfter="${value}"`), 'NotOnOrAfter')).toThrow(/saml:Conditions\/@NotOnOrAfter/)
  })
})
