import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AgentError } from '../errors.js'
import { canonicalize, parseXml } from '../xml/index.js'
import { readTokenDocument } from './read-token-document.js'
import { buildSsoTokenFile } from './sso-token-file.js'

// The real acceptance token (taktik/freehealth-connector compiled/RECIPE.1.9.1/examples/command-line/session.xml).
const REAL = readFileSync(new URL('../../test/fixtures/real-ehealth/acc-sts-saml11-assertion_2020-10-27_recipe-1.9.1-session.xml', import.meta.url), 'utf8')
const ELEMENT = REAL.slice(REAL.indexOf('<Assertion'))
const b64 = (text: string, wrap = 0) => {
  const raw = Buffer.from(text, 'utf8').toString('base64')
  return wrap ? raw.replace(new RegExp(`(.{${wrap}})`, 'g'), '$1\n') : raw
}
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'
const WST = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512'
const rstr = (assertion: string) => `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}" Context="c-1"><wst:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</wst:TokenType><wst:RequestedSecurityToken>${assertion}</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse>`
const envelope = (body: string, prefix = 'SOAP-ENV') => `<?xml version="1.0" encoding="UTF-8"?><${prefix}:Envelope xmlns:${prefix}="${SOAP11}"><${prefix}:Header/><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`
const samlpResponse = (assertion: string) =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" InResponseTo="request-1" IssueInstant="2020-10-27T12:59:12.454Z" MajorVersion="1" MinorVersion="1" ResponseID="_r1"><samlp:Status><samlp:StatusCode Value="samlp:Success"/></samlp:Status>${assertion}</samlp:Response>`

function refusal(text: string): AgentError {
  try {
    readTokenDocument(text)
  } catch (err) {
    if (err instanceof AgentError) return err
    throw err
  }
  throw new Error('accepted')
}

describe('readTokenDocument: every shape gives the assertion, its bytes untouched', () => {
  const shapes: [string, string, string][] = [
    ['a bare assertion as the Technical Connector saves it (XML declaration, no newline)', REAL, 'assertion'],
    ['the same with a UTF-8 BOM and a trailing newline', `\uFEFF${REAL}\n`, 'assertion'],
    ['the same with CRLF after it and leading white space', `  ${REAL}\r\n\r\n`, 'assertion'],
    ['the element alone', ELEMENT, 'assertion'],
    ['a WS-Trust RSTR holding it', rstr(ELEMENT), 'rstr'],
    ['an RSTR collection holding it', `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}">${rstr(ELEMENT)}</wst:RequestSecurityTokenResponseCollection>`, 'rstr'],
    ['a SOAP envelope holding the RSTR', envelope(rstr(ELEMENT)), 'soap-envelope'],
    ['a samlp:Response holding it', samlpResponse(ELEMENT), 'samlp-response'],
    ['a SOAP envelope holding the samlp:Response', envelope(samlpResponse(ELEMENT), 'soapenv'), 'soap-envelope'],
    ['a SOAP envelope holding the bare assertion', envelope(ELEMENT), 'soap-envelope'],
  ]
  it.each(shapes)('%s', (_what, text, shape) => {
    const found = readTokenDocument(text)
    expect(found).toMatchObject({ shape, base64: false })
    expect(found.assertionXml).toBe(ELEMENT)
  })

  it.each(shapes)('base64 of %s (one line, and wrapped at 76 with a BOM and a final newline)', (_what, text, shape) => {
    expect(readTokenDocument(b64(text))).toMatchObject({ shape, base64: true, assertionXml: ELEMENT })
    expect(readTokenDocument(`\uFEFF${b64(text, 76)}\n`)).toMatchObject({ shape, base64: true, assertionXml: ELEMENT })
  })

  it('an .ehtoken file, with its labels', () => {
    const file = buildSsoTokenFile({ assertionXml: REAL, environment: 'acc', profile: 'doctor', issued: new Date('2020-10-27T12:59:12.454Z') })
    for (const text of [file, b64(file), `\uFEFF${file}`]) {
      expect(readTokenDocument(text)).toMatchObject({ shape: 'ehtoken', environment: 'acc', profile: 'doctor', assertionXml: ELEMENT })
    }
  })

  it('an assertion using a prefix declared on the wrapper gets that declaration, and keeps its canonical form', () => {
    const prefixed = `<saml:Assertion AssertionID="_a" Issuer="x" MajorVersion="1" MinorVersion="1"><saml:Conditions/></saml:Assertion>`
    const text = `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><wst:RequestedSecurityToken>${prefixed}</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse>`
    const found = readTokenDocument(text)
    expect(found.assertionXml).toBe('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_a" Issuer="x" MajorVersion="1" MinorVersion="1"><saml:Conditions/></saml:Assertion>')
    const inDocument = parseXml(text).root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:1.0:assertion', 'Assertion')[0]!
    expect(canonicalize(parseXml(found.assertionXml).root)).toBe(canonicalize(inDocument))
  })
})

describe('readTokenDocument: what holds no assertion is ERR_SAML_INVALID, saying what it is', () => {
  it.each([
    ['plain text', 'not a token at all!', /neither XML nor base64/],
    ['base64 of something else', b64('hello, world'), /base64, but not of an XML document/],
    ['another XML document', '<x:Other xmlns:x="urn:x"/>', /x:Other element \(namespace urn:x\)/],
    ['a SOAP fault', envelope('<SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>down</faultstring></SOAP-ENV:Fault>'), /SOAP-ENV:Fault/],
    ['an RSTR with a challenge', `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}" Context="c"><wst:SignChallenge><wst:Challenge>x</wst:Challenge></wst:SignChallenge></wst:RequestSecurityTokenResponse>`, /SignChallenge, not a token/],
    ['a refused samlp:Response', samlpResponse(''), /holds 0 assertions/],
    ['an envelope with an empty Body', envelope(''), /does not hold one element/],
  ])('%s', (_what, text, detail) => {
    const err = refusal(text)
    expect(err.code).toBe('ERR_SAML_INVALID')
    expect(err.message).toContain('not an assertion')
    expect(err.message).toMatch(detail)
  })

  it('XML the hardened parser refuses keeps its own code', () => {
    expect(refusal('<!DOCTYPE x [<!ENTITY a "b">]><x/>').code).toBe('ERR_XML_DTD_FORBIDDEN')
  })
})
