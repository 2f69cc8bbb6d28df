import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion, responseWithOuterSamlPrefix } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { buildSamlpResponse } from './build-samlp-response.js'
import { checkAssertion } from './check-assertion.js'
import { SAML_NAMESPACES } from './names.js'
import { parseSamlpResponse } from './parse-samlp-response.js'

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')
const REQUEST_ID = 'request-8f0b5a52-3c1e-4d57-9a0b-2f6c1d9e7a41'
const token = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))
const expected = { expectedInResponseTo: REQUEST_ID }
const check = { trustedSigners: [sts.certificate], now: NOW, expectedHokCertificateBase64: hok.certificateBase64 }

const P = `xmlns:samlp="${SAML_NAMESPACES.protocol}"`
function response(status: string, rest = '', attrs = `InResponseTo="${REQUEST_ID}"`): string {
  return `<samlp:Response ${P} ${attrs} IssueInstant="2025-01-10T09:00:01Z" MajorVersion="1" MinorVersion="1" ResponseID="_r1"><samlp:Status>${status}</samlp:Status>${rest}</samlp:Response>`
}

function errorOf(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgentError) return err
    throw err
  }
  throw new Error('expected an AgentError, got none')
}

describe('parseSamlpResponse', () => {
  it('success: returns the assertion text exactly as it was inserted, and it passes checkAssertion', () => {
    const text = buildSamlpResponse({ responseId: '_r1', inResponseTo: REQUEST_ID, issueInstant: NOW, status: { code: 'Success' }, assertionXml: token })
    const res = parseSamlpResponse(text, expected)
    expect(res).toEqual({ status: 'success', responseId: '_r1', assertionXml: token })
    expect(checkAssertion(res.assertionXml, check).assertionId).toBe('_42e7a00652420d86ee884f295a3fbf02')
  })

  it('success under any prefix bound to the protocol namespace, and pretty-printed', () => {
    const text = `<?xml version="1.0"?>\n<p:Response xmlns:p="${SAML_NAMESPACES.protocol}" InResponseTo="${REQUEST_ID}" IssueInstant="2025-01-10T09:00:01Z" MajorVersion="1" MinorVersion="1" ResponseID="_r1">\n  <p:Status>\n    <p:StatusCode Value="p:Success"/>\n  </p:Status>\n  ${token}\n</p:Response>\n`
    expect(parseSamlpResponse(text, expected).assertionXml).toBe(token)
  })

  it('"samlp:Success" with samlp bound to another namespace is not a success', () => {
    const text = `<samlp:Response ${P} InResponseTo="${REQUEST_ID}" IssueInstant="2025-01-10T09:00:01Z" MajorVersion="1" MinorVersion="1" ResponseID="_r1"><samlp:Status><samlp:StatusCode xmlns:samlp="urn:attacker" Value="samlp:Success"/></samlp:Status>${token}</samlp:Response>`
    // The inner redeclaration moves StatusCode itself out of the protocol namespace: not a status.
    expect(errorOf(() => parseSamlpResponse(text, expected)).code).toBe('ERR_SAML_INVALID')
    const other = response(`<samlp:StatusCode xmlns:x="urn:attacker" Value="x:Success"/>`, token)
    const err = errorOf(() => parseSamlpResponse(other, expected))
    expect(err.code).toBe('ERR_STS_REJECTED')
    expect(err.data).toEqual({ statusCode: '{urn:attacker}Success', subStatusCode: null, statusMessage: null })
  })

  it('Requester / RequestDenied with a message: ERR_STS_REJECTED with the status', () => {
    const text = buildSamlpResponse({
      responseId: '_r2',
      inResponseTo: REQUEST_ID,
      issueInstant: NOW,
      status: { code: 'Requester', subCode: 'RequestDenied', message: 'The certificate is revoked' },
    })
    const err = errorOf(() => parseSamlpResponse(text, expected))
    expect(err.code).toBe('ERR_STS_REJECTED')
    expect(err.data).toEqual({ statusCode: 'samlp:Requester', subStatusCode: 'samlp:RequestDenied', statusMessage: 'The certificate is revoked' })
    expect(err.message).toContain('samlp:Requester/samlp:RequestDenied: The certificate is revoked')
  })

  it('Responder without details, and an error without InResponseTo, are still reported as rejections', () => {
    const err = errorOf(() => parseSamlpResponse(response('<samlp:StatusCode Value="samlp:Responder"/>', '', ''), expected))
    expect(err.code).toBe('ERR_STS_REJECTED')
    expect(err.data).toEqual({ statusCode: 'samlp:Responder', subStatusCode: null, statusMessage: null })
  })

  it('InResponseTo mismatch: ERR_SAML_INVALID, even for an error status', () => {
    const ok = buildSamlpResponse({ responseId: '_r1', inResponseTo: 'request-other', issueInstant: NOW, status: { code: 'Success' }, assertionXml: token })
    expect(errorOf(() => parseSamlpResponse(ok, expected)).code).toBe('ERR_SAML_INVALID')
    const denied = buildSamlpResponse({ responseId: '_r1', inResponseTo: 'request-other', issueInstant: NOW, status: { code: 'Requester' } })
    expect(errorOf(() => parseSamlpResponse(denied, expected)).code).toBe('ERR_SAML_INVALID')
    const missing = response('<samlp:StatusCode Value="samlp:Success"/>', token, '')
    expect(errorOf(() => parseSamlpResponse(missing, expected)).code).toBe('ERR_SAML_INVALID')
  })

  it('success without an assertion, or with two: ERR_SAML_INVALID', () => {
    const none = buildSamlpResponse({ responseId: '_r1', inResponseTo: REQUEST_ID, issueInstant: NOW, status: { code: 'Success' } })
    expect(errorOf(() => parseSamlpResponse(none, expected)).code).toBe('ERR_SAML_INVALID')
    const other = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64, { assertionId: '_other' }))
    const two = response('<samlp:StatusCode Value="samlp:Success"/>', token + other)
    expect(errorOf(() => parseSamlpResponse(two, expected)).code).toBe('ERR_SAML_INVALID')
  })

  it('refuses a non-Response root, DOCTYPE, duplicate ids, an undeclared status prefix', () => {
    expect(errorOf(() => parseSamlpResponse(token, expected)).code).toBe('ERR_SAML_INVALID')
    expect(errorOf(() => parseSamlpResponse(`<!DOCTYPE x>${response('<samlp:StatusCode Value="samlp:Success"/>', token)}`, expected)).code).toBe('ERR_XML_DTD_FORBIDDEN')
    const dup = response('<samlp:StatusCode Value="samlp:Success"/>', token).replace('ResponseID="_r1"', 'ResponseID="_42e7a00652420d86ee884f295a3fbf02"')
    expect(errorOf(() => parseSamlpResponse(dup, expected)).code).toBe('ERR_XML_DUPLICATE_ID')
    expect(errorOf(() => parseSamlpResponse(response('<samlp:StatusCode Value="q:Success"/>', token), expected)).code).toBe('ERR_SAML_INVALID')
  })

  it('an assertion that relies on the response for its saml prefix comes out self-contained and still verifies', () => {
    // As an STS that declares xmlns:saml on samlp:Response only would send it.
    const text = responseWithOuterSamlPrefix(sts, token, REQUEST_ID)
    const { assertionXml } = parseSamlpResponse(text, expected)
    expect(assertionXml.startsWith(`<saml:Assertion xmlns:saml="${SAML_NAMESPACES.assertion}" AssertionID=`)).toBe(true)
    expect(assertionXml.slice(`<saml:Assertion xmlns:saml="${SAML_NAMESPACES.assertion}"`.length)).toBe(
      text.slice(text.indexOf('<saml:Assertion') + '<saml:Assertion'.length, text.indexOf('</samlp:Response>')),
    )
    expect(checkAssertion(assertionXml, check).attributes).toHaveLength(4)
  })
})
