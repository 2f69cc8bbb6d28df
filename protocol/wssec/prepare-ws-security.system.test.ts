import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { wssecIdAttrs, xmlsecVerify } from '../../test/helpers/xmlsec.js'
import { SOAP11_NS, SOAP12_NS } from '../soap/namespaces.js'
import type { SignatureAlgorithm } from '../xml/algorithms.js'
import { prepareWsSecurity, type WsSecurityProfile } from './prepare-ws-security.js'

// Every envelope prepareWsSecurity signs is checked by xmlsec1 (libxmlsec1), an implementation we
// did not write. What needs no outside checker is in prepare-ws-security.test.ts.

const hok = sharedTestIdentity('HOK key')
const ASSERTION_ID = '_42e7a00652420d86ee884f295a3fbf02'
// The assertion is copied verbatim and not covered by our signature; its own STS signature is
// out of scope here (protocol/saml). It carries a ds:Signature so xmlsec1 must be pointed at ours.
const ASSERTION =
  `<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="${ASSERTION_ID}" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">` +
  `<Conditions NotBefore="2025-01-10T09:00:00.000Z" NotOnOrAfter="2025-01-11T09:00:00.000Z"></Conditions>` +
  `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo></ds:SignedInfo></ds:Signature></Assertion>`

function idGenerator(): (kind: string) => string {
  let n = 0
  return (kind) => `${kind}-${++n}`
}

function signEnvelope(xml: string, profile: WsSecurityProfile, algorithm: SignatureAlgorithm = 'rsa-sha256'): string {
  const prepared = prepareWsSecurity(xml, { profile, now: new Date(), algorithm, newId: idGenerator() })
  return prepared.finish(sign(prepared.hash, prepared.signedInfo, hok.privateKey))
}

function verifyWithXmlsec(signed: string, soapNs = SOAP11_NS) {
  // Point xmlsec1 at our signature (the assertion holds the STS's).
  const sigId = /<ds:Signature xmlns:ds="[^"]+" Id="([^"]+)"/.exec(signed)?.[1]
  if (!sigId) throw new Error('no ds:Signature with an Id in the signed envelope')
  return xmlsecVerify(signed, hok.certificatePem, [...wssecIdAttrs(soapNs), ['Id', 'http://www.w3.org/2000/09/xmldsig#:Signature']], [
    '--node-id',
    sigId,
  ])
}

const PROFILES: [string, WsSecurityProfile][] = [
  ['SAML holder-of-key', { kind: 'saml-hok', assertionXml: ASSERTION, assertionId: ASSERTION_ID }],
  ['X.509', { kind: 'x509', certificateBase64: hok.certificateBase64 }],
]

describe('prepareWsSecurity, verified by xmlsec1', () => {
  for (const [name, profile] of PROFILES) {
    for (const algorithm of ['rsa-sha256', 'rsa-sha1'] as const) {
      it(`${name}, ${algorithm}, 4 KB body: accepted, and refused after one byte of Body or Timestamp changes`, () => {
        const signed = signEnvelope(makeEnvelope(4096), profile, algorithm)
        const res = verifyWithXmlsec(signed)
        expect(res.output).toMatch(/OK/)
        expect(res.ok).toBe(true)

        const tamperedBody = signed.replace('R/1234', 'R/1235')
        expect(tamperedBody).not.toBe(signed)
        expect(verifyWithXmlsec(tamperedBody).ok).toBe(false)

        const tamperedTs = signed.replace(/(<wsu:Expires>\d{4})/, (m) => m.slice(0, -1) + String((Number(m.slice(-1)) + 1) % 10))
        expect(tamperedTs).not.toBe(signed)
        expect(verifyWithXmlsec(tamperedTs).ok).toBe(false)
      })
    }
    it(`${name}, 10 MB body: accepted by xmlsec1`, () => {
      const signed = signEnvelope(makeEnvelope(10 * 1024 * 1024), profile)
      expect(verifyWithXmlsec(signed).ok).toBe(true)
    })
  }

  it('X.509 profile also signs the BinarySecurityToken (replacing the certificate breaks it)', () => {
    const other = sharedTestIdentity('another key')
    const signed = signEnvelope(makeEnvelope(1024), { kind: 'x509', certificateBase64: hok.certificateBase64 })
    expect(signed).toContain('URI="#X509-')
    const swapped = signed.replace(hok.certificateBase64, other.certificateBase64)
    expect(verifyWithXmlsec(swapped).ok).toBe(false)
  })

  it('SOAP 1.2 envelopes are signed the same way', () => {
    const signed = signEnvelope(makeEnvelope(2048, { version: '1.2' }), PROFILES[0]![1])
    expect(verifyWithXmlsec(signed, SOAP12_NS).ok).toBe(true)
  })
})

describe('prepareWsSecurity, splicing into the caller text, verified by xmlsec1', () => {
  it('reuses a wsu:Id the caller already put on the Body', () => {
    const wsu = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
    const xml = makeEnvelope(500).replace('<soapenv:Body>', `<soapenv:Body xmlns:wsu="${wsu}" wsu:Id="caller-body">`)
    const prepared = prepareWsSecurity(xml, { profile: PROFILES[0]![1], now: new Date(), newId: idGenerator() })
    expect(prepared.bodyId).toBe('caller-body')
    const signed = prepared.finish(sign(prepared.hash, prepared.signedInfo, hok.privateKey))
    expect(signed).toContain('URI="#caller-body"')
    expect(verifyWithXmlsec(signed).ok).toBe(true)
  })

  it('inserts into an existing Header, and expands a self-closing one', () => {
    for (const header of ['  <soapenv:Header><urn:Ctx>x</urn:Ctx></soapenv:Header>\n', '  <soapenv:Header/>\n']) {
      const signed = signEnvelope(makeEnvelope(500, { header }), PROFILES[1]![1])
      expect(signed.match(/<soapenv:Header/g)).toHaveLength(1)
      expect(verifyWithXmlsec(signed).ok).toBe(true)
    }
  })

  it('works when the envelope uses a default namespace and a caller binds wsu to something else', () => {
    const xml =
      `<Envelope xmlns="${SOAP11_NS}" xmlns:wsu="urn:not-wsu"><Body><m:Op xmlns:m="urn:m" wsu:x="1">v</m:Op></Body></Envelope>`
    const signed = signEnvelope(xml, PROFILES[1]![1])
    expect(signed).toContain('<Header><wsse:Security')
    expect(signed).toMatch(/<Body xmlns:wsu1="[^"]+" wsu1:Id="id-1">/)
    expect(verifyWithXmlsec(signed).ok).toBe(true)
  })
})
