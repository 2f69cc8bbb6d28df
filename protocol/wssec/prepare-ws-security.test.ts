import { createPublicKey, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { SOAP11_NS } from '../soap/namespaces.js'
import { prepareWsSecurity, type WsSecurityProfile } from './prepare-ws-security.js'
import { verifyWsSecurity, type SigningToken } from './verify-ws-security.js'

// How prepareWsSecurity splices the header into the caller's text. That xmlsec1, an
// implementation we did not write, accepts what it signs is tested in
// prepare-ws-security.system.test.ts; here our own verifier only checks the splice kept the
// signature whole.

const hok = sharedTestIdentity('HOK key')
const ASSERTION_ID = '_42e7a00652420d86ee884f295a3fbf02'
const ASSERTION =
  `<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="${ASSERTION_ID}" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">` +
  `<Conditions NotBefore="2025-01-10T09:00:00.000Z" NotOnOrAfter="2025-01-11T09:00:00.000Z"></Conditions></Assertion>`
const SAML_HOK: WsSecurityProfile = { kind: 'saml-hok', assertionXml: ASSERTION, assertionId: ASSERTION_ID }
const X509: WsSecurityProfile = { kind: 'x509', certificateBase64: hok.certificateBase64 }

function idGenerator(): (kind: string) => string {
  let n = 0
  return (kind) => `${kind}-${++n}`
}

function signEnvelope(xml: string, profile: WsSecurityProfile): string {
  const prepared = prepareWsSecurity(xml, { profile, now: new Date(), newId: idGenerator() })
  return prepared.finish(sign(prepared.hash, prepared.signedInfo, hok.privateKey))
}

const keyFor = (t: SigningToken) =>
  t.kind === 'x509' ? createPublicKey(`-----BEGIN CERTIFICATE-----\n${t.certificateBase64}\n-----END CERTIFICATE-----`) : hok.certificate.publicKey

describe('prepareWsSecurity, splicing into the caller text', () => {
  it('keeps every byte of the caller Body content and adds only the wsu:Id to its start tag', () => {
    const original = makeEnvelope(3000)
    const signed = signEnvelope(original, SAML_HOK)
    const bodyContent = (xml: string) => xml.slice(xml.indexOf('>', xml.indexOf('<soapenv:Body')) + 1, xml.indexOf('</soapenv:Body>'))
    expect(bodyContent(signed)).toBe(bodyContent(original))
    expect(signed).toMatch(/<soapenv:Body xmlns:wsu="[^"]+" wsu:Id="id-1">/)
    expect(signed.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope')).toBe(true)
  })

  it('reuses a wsu:Id the caller already put on the Body', async () => {
    const wsu = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
    const xml = makeEnvelope(500).replace('<soapenv:Body>', `<soapenv:Body xmlns:wsu="${wsu}" wsu:Id="caller-body">`)
    const prepared = prepareWsSecurity(xml, { profile: SAML_HOK, now: new Date(), newId: idGenerator() })
    expect(prepared.bodyId).toBe('caller-body')
    const signed = prepared.finish(sign(prepared.hash, prepared.signedInfo, hok.privateKey))
    expect(signed).toContain('URI="#caller-body"')
    expect(signed).not.toContain('wsu:Id="id-')
    await verifyWsSecurity(signed, { now: new Date(), keyFor })
  })

  it('inserts into an existing Header, and expands a self-closing one', async () => {
    for (const header of ['  <soapenv:Header><urn:Ctx>x</urn:Ctx></soapenv:Header>\n', '  <soapenv:Header/>\n']) {
      const signed = signEnvelope(makeEnvelope(500, { header }), X509)
      expect(signed.match(/<soapenv:Header/g)).toHaveLength(1)
      expect(signed).toMatch(/<soapenv:Header>(<urn:Ctx>x<\/urn:Ctx>)?<wsse:Security /)
      await verifyWsSecurity(signed, { now: new Date(), keyFor })
    }
  })

  it('works when the envelope uses a default namespace and a caller binds wsu to something else', async () => {
    const xml =
      `<Envelope xmlns="${SOAP11_NS}" xmlns:wsu="urn:not-wsu"><Body><m:Op xmlns:m="urn:m" wsu:x="1">v</m:Op></Body></Envelope>`
    const signed = signEnvelope(xml, X509)
    expect(signed).toContain('<Header><wsse:Security')
    expect(signed).toMatch(/<Body xmlns:wsu1="[^"]+" wsu1:Id="id-1">/)
    await verifyWsSecurity(signed, { now: new Date(), keyFor })
  })

  it('reports the operation (Body root) for consent and audit', () => {
    const prepared = prepareWsSecurity(makeEnvelope(100), { profile: SAML_HOK, now: new Date(), newId: idGenerator() })
    expect(prepared.operation).toEqual({ namespace: 'urn:be:fgov:ehealth:test:v1', localName: 'ConsultRequest' })
  })
})
