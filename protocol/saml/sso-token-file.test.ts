import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { checkAssertion } from './check-assertion.js'
import { buildSsoTokenFile, parseSsoTokenFile, SSO_TOKEN_FILE, ssoTokenFileName } from './sso-token-file.js'

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')
const token = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))
const input = { assertionXml: token, environment: 'sandbox' as const, profile: 'doctor', issued: NOW }
const HEAD = `<ehtoken:SessionToken xmlns:ehtoken="${SSO_TOKEN_FILE.namespace}" version="1" environment="sandbox" profile="doctor" issued="2025-01-10T09:00:01.123Z">`

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgentError) return err.code
    throw err
  }
  return 'no error'
}

/** A file around `inner`, with the given root attributes. */
function file(inner: string, head = HEAD): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${inner}\n</ehtoken:SessionToken>\n`
}

describe('buildSsoTokenFile', () => {
  it('writes the documented format, the assertion inserted verbatim', () => {
    expect(buildSsoTokenFile(input)).toBe(file(`<ehtoken:Assertion>${token}</ehtoken:Assertion>`))
  })

  it('drops an XML declaration around the assertion, nothing else', () => {
    const text = buildSsoTokenFile({ ...input, assertionXml: `<?xml version="1.0" encoding="UTF-8"?>\n${token}\n` })
    expect(text).toContain(`<ehtoken:Assertion>${token}</ehtoken:Assertion>`)
  })

  it('refuses what would not be a valid file', () => {
    const bad = [
      { assertionXml: '<Response xmlns="urn:oasis:names:tc:SAML:1.0:protocol"/>' },
      { assertionXml: 'not xml' },
      { environment: 'staging' as never },
      { profile: 'Doctor"><x' },
      { profile: '' },
      { issued: new Date(Number.NaN) },
    ]
    for (const override of bad) expect(codeOf(() => buildSsoTokenFile({ ...input, ...override }))).toBe('ERR_SAML_INVALID')
  })
})

describe('parseSsoTokenFile', () => {
  it('round trip: the exact assertion text, which checkAssertion accepts', () => {
    const parsed = parseSsoTokenFile(buildSsoTokenFile(input))
    expect(parsed).toEqual(input)
    const checked = checkAssertion(parsed.assertionXml, { trustedSigners: [sts.certificate], now: NOW, expectedHokCertificateBase64: hok.certificateBase64 })
    expect(checked.assertionId).toBe('_42e7a00652420d86ee884f295a3fbf02')
  })

  it('reads organization profiles and every environment', () => {
    for (const environment of ['prod', 'acc', 'int', 'sandbox'] as const) {
      const parsed = parseSsoTokenFile(buildSsoTokenFile({ ...input, environment, profile: 'org:hospital' }))
      expect(parsed).toMatchObject({ environment, profile: 'org:hospital' })
    }
  })

  it('accepts another prefix and pretty-printing around the elements', () => {
    const text = `<t:SessionToken xmlns:t="${SSO_TOKEN_FILE.namespace}" issued="2025-01-10T09:00:01Z" profile="nurse" environment="acc" version="1">\n  <t:Assertion>\n    ${token}\n  </t:Assertion>\n</t:SessionToken>`
    expect(parseSsoTokenFile(text)).toEqual({ assertionXml: token, environment: 'acc', profile: 'nurse', issued: new Date('2025-01-10T09:00:01Z') })
  })

  it('adds a namespace declaration the assertion inherits, keeping it checkable', () => {
    // A hand-made file whose assertion uses a prefix declared on the wrapper.
    const prefixed = token.replace('<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion"', '<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" xmlns:unused="urn:x"')
    const text = file(`<ehtoken:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion">${prefixed}</ehtoken:Assertion>`)
    expect(parseSsoTokenFile(text).assertionXml).toBe(prefixed)
  })

  it('refuses anything that is not the format, with a typed error', () => {
    const body = `<ehtoken:Assertion>${token}</ehtoken:Assertion>`
    const cases: [string, string, string][] = [
      ['a bare assertion', token, 'ERR_SAML_INVALID'],
      ['another namespace', file(body, HEAD.replace(SSO_TOKEN_FILE.namespace, 'urn:ehealth-agent:sso-token:v2')), 'ERR_SAML_INVALID'],
      ['version 2', file(body, HEAD.replace('version="1"', 'version="2"')), 'ERR_SAML_INVALID'],
      ['no version', file(body, HEAD.replace(' version="1"', '')), 'ERR_SAML_INVALID'],
      ['unknown environment', file(body, HEAD.replace('environment="sandbox"', 'environment="staging"')), 'ERR_SAML_INVALID'],
      ['bad profile', file(body, HEAD.replace('profile="doctor"', 'profile="../doctor"')), 'ERR_SAML_INVALID'],
      ['bad date', file(body, HEAD.replace('issued="2025-01-10T09:00:01.123Z"', 'issued="yesterday"')), 'ERR_SAML_INVALID'],
      ['date without zone', file(body, HEAD.replace('issued="2025-01-10T09:00:01.123Z"', 'issued="2025-01-10T09:00:01"')), 'ERR_SAML_INVALID'],
      ['extra attribute', file(body, HEAD.replace('version="1"', 'version="1" trusted="yes"')), 'ERR_SAML_INVALID'],
      ['attribute on the wrapper', file(`<ehtoken:Assertion id="x">${token}</ehtoken:Assertion>`), 'ERR_SAML_INVALID'],
      ['no assertion', file('<ehtoken:Assertion></ehtoken:Assertion>'), 'ERR_SAML_INVALID'],
      ['no wrapper', file(token), 'ERR_SAML_INVALID'],
      ['two assertions', file(`<ehtoken:Assertion>${token}${token}</ehtoken:Assertion>`), 'ERR_SAML_INVALID'],
      ['two wrappers', file(body + body), 'ERR_SAML_INVALID'],
      ['an extra element', file(`${body}<ehtoken:Note/>`), 'ERR_SAML_INVALID'],
      ['text beside the assertion', file(`<ehtoken:Assertion>x${token}</ehtoken:Assertion>`), 'ERR_SAML_INVALID'],
      ['a comment', file(`<!-- hi -->${body}`), 'ERR_SAML_INVALID'],
      ['a SAML 2.0 assertion', file('<ehtoken:Assertion><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/></ehtoken:Assertion>'), 'ERR_SAML_INVALID'],
      ['a DTD', `<!DOCTYPE x [<!ENTITY a "b">]>${file(body).replace(/^<\?xml[^>]*>\n/, '')}`, 'ERR_XML_DTD_FORBIDDEN'],
      ['not XML', 'session token', 'ERR_XML_MALFORMED'],
      ['too large', file(body).replace('</ehtoken:SessionToken>', ' '.repeat(1024 * 1024) + '</ehtoken:SessionToken>'), 'ERR_XML_TOO_LARGE'],
    ]
    for (const [what, text, code] of cases) expect(codeOf(() => parseSsoTokenFile(text)), what).toBe(code)
  })
})

describe('ssoTokenFileName', () => {
  it('names the file after the profile, safe on every OS', () => {
    expect(ssoTokenFileName('doctor')).toBe('session-doctor.ehtoken')
    expect(ssoTokenFileName('org:hospital')).toBe('session-org-hospital.ehtoken')
    expect(codeOf(() => ssoTokenFileName('../x'))).toBe('ERR_SAML_INVALID')
  })
})
