import { describe, expect, it } from 'vitest'
import { assertionInput, mintAssertion } from '../../test/helpers/saml-fixtures.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { buildSamlpResponse } from './build-samlp-response.js'

const sts = sharedTestIdentity('Test STS')
const hok = sharedTestIdentity('Test HOK')
const NOW = new Date('2025-01-10T09:00:01.123Z')
const token = mintAssertion(sts, assertionInput(NOW, hok.certificateBase64))

describe('buildSamlpResponse', () => {
  it('success: the SAML 1.1 skeleton with the assertion inserted verbatim', () => {
    const text = buildSamlpResponse({ responseId: '_r1', inResponseTo: 'request-1', issueInstant: NOW, status: { code: 'Success' }, assertionXml: token })
    expect(text).toBe(
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"' +
        ' InResponseTo="request-1" IssueInstant="2025-01-10T09:00:01.123Z" MajorVersion="1" MinorVersion="1" ResponseID="_r1">' +
        `<samlp:Status><samlp:StatusCode Value="samlp:Success"></samlp:StatusCode></samlp:Status>${token}</samlp:Response>`,
    )
  })

  it('drops an XML declaration around the assertion, nothing else', () => {
    const text = buildSamlpResponse({
      responseId: '_r1',
      inResponseTo: 'request-1',
      issueInstant: NOW,
      status: { code: 'Success' },
      assertionXml: `<?xml version="1.0" encoding="UTF-8"?>\n${token}\n`,
    })
    expect(text).toContain(`</samlp:Status>${token}</samlp:Response>`)
  })

  it('error: top-level code, sub-code and escaped message', () => {
    const text = buildSamlpResponse({
      responseId: '_r2',
      inResponseTo: 'request-1',
      issueInstant: NOW,
      status: { code: 'Requester', subCode: 'RequestDenied', message: 'no <profile> & no luck' },
    })
    expect(text).toContain(
      '<samlp:Status><samlp:StatusCode Value="samlp:Requester"><samlp:StatusCode Value="samlp:RequestDenied"></samlp:StatusCode></samlp:StatusCode>' +
        '<samlp:StatusMessage>no &lt;profile&gt; &amp; no luck</samlp:StatusMessage></samlp:Status></samlp:Response>',
    )
  })

  it('refuses an assertionXml that is not an assertion, and ids that are not NCNames', () => {
    const bad = [
      { assertionXml: '<Response xmlns="urn:oasis:names:tc:SAML:1.0:protocol"/>' },
      { assertionXml: 'not xml' },
      { responseId: '1bad' },
      { status: { code: 'Requester' as const, subCode: 'a:b' } },
    ]
    for (const override of bad) {
      let code = ''
      try {
        buildSamlpResponse({ responseId: '_r1', inResponseTo: 'request-1', issueInstant: NOW, status: { code: 'Success' }, ...override })
      } catch (err) {
        code = err instanceof AgentError ? err.code : 'not an AgentError'
      }
      expect(code).toBe('ERR_SAML_INVALID')
    }
  })
})
