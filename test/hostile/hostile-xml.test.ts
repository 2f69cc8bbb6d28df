import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isAgentError } from '../../protocol/errors.js'
import { splitEnvelope } from '../../protocol/soap/split-envelope.js'
import { prepareWsSecurity } from '../../protocol/wssec/prepare-ws-security.js'
import { parseXml } from '../../protocol/xml/parse-xml.js'
import { HOSTILE_CORPUS_CODES } from './corpus-codes.js'

// Threat T17: every hostile document is refused with a typed error, and nothing is fetched,
// expanded or recursed into. Each is fed to the signing entry point (what soap.sign does).
const CORPUS = HOSTILE_CORPUS_CODES

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'

function signAttempt(xml: string): void {
  let n = 0
  prepareWsSecurity(xml, {
    profile: { kind: 'x509', certificateBase64: 'AAAA' },
    now: new Date('2025-01-01T00:00:00Z'),
    newId: (k) => `${k}-${++n}`,
  })
}

function expectRefused(xml: string, code: string): void {
  let caught: unknown
  try {
    signAttempt(xml)
  } catch (err) {
    caught = err
  }
  expect(isAgentError(caught), `expected an AgentError ${code}, got ${String(caught)}`).toBe(true)
  expect((caught as { code: string }).code).toBe(code)
}

describe('hostile XML corpus (T17)', () => {
  for (const [file, code] of Object.entries(CORPUS)) {
    it(`${file} is refused with ${code}`, () => {
      expectRefused(readFileSync(new URL(`./xml/${file}`, import.meta.url), 'latin1'), code)
    })
  }

  it('10 000-deep nesting is refused with ERR_XML_TOO_DEEP before any DOM is built', () => {
    const depth = 10_000
    const xml = `<s:Envelope xmlns:s="${SOAP}"><s:Body>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</s:Body></s:Envelope>`
    expectRefused(xml, 'ERR_XML_TOO_DEEP')
  })

  it('a document over the size limit is refused with ERR_XML_TOO_LARGE', () => {
    expect(() => parseXml('<a>' + 'x'.repeat(2000) + '</a>', { maxLength: 1000, maxDepth: 10 })).toThrow(
      expect.objectContaining({ code: 'ERR_XML_TOO_LARGE' }),
    )
  })

  it('a DOCTYPE hidden after comments and PIs is still found', () => {
    expectRefused(`<?xml version="1.0"?><!-- x --><?pi y?><!DOCTYPE a [<!ENTITY b "c">]><a/>`, 'ERR_XML_DTD_FORBIDDEN')
  })

  it('"<!DOCTYPE" inside CDATA or a comment is text, not a declaration', () => {
    const xml = `<s:Envelope xmlns:s="${SOAP}"><s:Body><m><![CDATA[<!DOCTYPE html>]]><!-- <!ENTITY x "y"> --></m></s:Body></s:Envelope>`
    expect(() => splitEnvelope(xml)).not.toThrow()
  })
})

describe('well-formedness xmldom does not enforce (refused all the same)', () => {
  const cases: [string, string][] = [
    ['an undeclared element prefix', '<a:b/>'],
    ['an undeclared attribute prefix', '<b x:y="1"/>'],
    ['a NUL character', '<a>\u0000</a>'],
    ['text after the root', '<a/>junk'],
    ['one expanded attribute name twice through two prefixes', '<a xmlns:p="urn:x" xmlns:q="urn:x" p:x="1" q:x="2"/>'],
  ]
  for (const [name, xml] of cases) {
    it(`refuses ${name}`, () => {
      expect(() => parseXml(xml)).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }))
    })
  }
})
