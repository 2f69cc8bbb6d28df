import { describe, expect, it } from 'vitest'
import { isAgentError } from '../errors.js'
import { SOAP11_NS, WSU_NS } from '../soap/namespaces.js'
import { prepareWsSecurity } from './prepare-ws-security.js'

// Three inputs a hostile-input run got signed, although libxml2 refuses the signed output (the
// first two) or libxmlsec1 resolves the reference to another element (the third). Each must be
// refused before anything is signed.
const envelope = (header: string, body: string, bodyAttrs = '') =>
  `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:wsu="${WSU_NS}">${header}<s:Body${bodyAttrs}>${body}</s:Body></s:Envelope>`

function refusal(xml: string): unknown {
  try {
    let n = 0
    prepareWsSecurity(xml, { profile: { kind: 'x509', certificateBase64: 'AAAA' }, now: new Date(0), newId: (k) => `${k}-${++n}` })
  } catch (err) {
    return err
  }
  return undefined
}

describe('input that is not well-formed XML is never signed', () => {
  it('a raw "<" in an attribute value (XML 1.0 §3.1 [10] AttValue, WFC: No < in Attribute Values)', () => {
    const err = refusal(envelope('', '<m:a xmlns:m="urn:m" v="</s:Body>>"/>'))
    expect(isAgentError(err), String(err)).toBe(true)
    expect(err).toMatchObject({ code: 'ERR_XML_MALFORMED' })
  })

  it('an encoding="UTF-16" declaration on text that is handled and returned as UTF-8 (XML 1.0 §4.3.3)', () => {
    const err = refusal(`<?xml version="1.0" encoding="UTF-16"?>` + envelope('', '<m:a xmlns:m="urn:m"/>'))
    expect(isAgentError(err), String(err)).toBe(true)
    expect(err).toMatchObject({ code: 'ERR_XML_MALFORMED' })
    expect((err as Error).message).toMatch(/UTF-16/)
  })

  it('a Body wsu:Id that a Header element also carries as xml:id', () => {
    const err = refusal(envelope('<s:Header><h xml:id="B1"/></s:Header>', '<m:a xmlns:m="urn:m"/>', ' wsu:Id="B1"'))
    expect(isAgentError(err), String(err)).toBe(true)
    expect(err).toMatchObject({ code: 'ERR_XML_DUPLICATE_ID' })
  })

  it('xml:id, wsu:Id, Id, ID and AssertionID are counted together', () => {
    const names = ['xml:id', 'wsu:Id', 'Id', 'ID', 'AssertionID']
    for (const a of names) {
      for (const b of names) {
        const err = refusal(envelope(`<s:Header><h ${a}="X1"/></s:Header>`, `<m:a xmlns:m="urn:m" ${b}="X1"/>`))
        expect(err, `${a} in the Header and ${b} in the Body`).toMatchObject({ code: 'ERR_XML_DUPLICATE_ID' })
      }
    }
  })
})
