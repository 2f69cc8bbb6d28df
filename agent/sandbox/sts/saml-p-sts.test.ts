import { createPublicKey, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_PATHS } from '../../../protocol/environments.js'
import { AgentError } from '../../../protocol/errors.js'
import { prepareSamlpRequest } from '../../../protocol/saml/build-samlp-request.js'
import { checkAssertion } from '../../../protocol/saml/check-assertion.js'
import { EHEALTH_STS_ISSUER } from '../../../protocol/saml/names.js'
import { parseSamlpResponse } from '../../../protocol/saml/parse-samlp-response.js'
import { parseSoapFault } from '../../../protocol/soap/parse-fault.js'
import { splitEnvelope } from '../../../protocol/soap/split-envelope.js'
import { claimsForProfile, type StsClaims } from '../../../protocol/sts/claims.js'
import { prepareWsSecurity } from '../../../protocol/wssec/prepare-ws-security.js'
import { extractElementText } from '../../../protocol/xml/index.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { createTestIdentity } from '../../../test/helpers/test-pki.js'
import { createSandboxApp } from '../app.js'
import type { SandboxPki } from '../pki/types.js'
import { SandboxState } from '../sandbox-state.js'
import { SAMLP_LEGACY_PATH, samlpStsRoutes } from './saml-p-sts.js'
import { findSamlpSoapAction } from '../../../protocol/saml/samlp-soap-actions.js'

/** A key and its certificate: what signs the header (identification) or is bound (HOK). */
interface Credential {
  key: KeyObject
  certificatePem: string
}

let pki: SandboxPki
let state: SandboxState
let n = 0
const newId = () => `t${++n}`

beforeAll(async () => {
  pki = await sharedSandboxPki()
  state = new SandboxState(pki, () => new Date())
}, 120_000)

const keystore = (id: 'doctor' | 'nurse' | 'pharmacist' | 'hospital'): Credential => ({ key: pki.keystores[id].privateKey, certificatePem: pki.keystores[id].certificatePem })
const eid = (id: 'doctor' | 'nurse'): Credential => ({ key: pki.eid[id].authentication.privateKey, certificatePem: pki.eid[id].authentication.certificatePem })
const base64Of = (pem: string) => new X509Certificate(pem).raw.toString('base64')
const stsCertificate = () => new X509Certificate(pki.sts.certificatePem)

interface CallOptions {
  identification: Credential
  hok: Credential
  /** The key that signs the samlp:Request; 'none' leaves it unsigned. Default the HOK key. */
  innerKey?: KeyObject | 'none'
  claims?: StsClaims
  validityMs?: number
  soapAction?: string | null
  /** Default the current endpoint. */
  path?: string
  /** Change the signed samlp:Request before the WS-Security header is added. */
  tamper?: (requestXml: string) => string
  /** Another Body content altogether. */
  body?: string
  stateOverride?: SandboxState
}

/**
 * A SAML-P call as TC builds it: samlp:Request (TC `legacy/issue.samlv11.hok.template.xml`) in an
 * X.509-signed envelope (TC `CertificateCallback`).
 */
async function callSamlp(options: CallOptions) {
  const now = new Date()
  const requestId = `request-${newId()}`
  const identificationCert = new X509Certificate(options.identification.certificatePem)
  const claims = options.claims ?? doctorClaims()
  const prepared = prepareSamlpRequest({
    requestId,
    assertionId: `assertion-${newId()}`,
    issueInstant: now,
    notBefore: now,
    notOnOrAfter: new Date(now.getTime() + (options.validityMs ?? 3600_000)),
    nameIdentifier: { value: identificationCert.subject.split('\n').reverse().join(', '), nameQualifier: identificationCert.issuer.split('\n').reverse().join(', ') },
    hokCertificateBase64: base64Of(options.hok.certificatePem),
    attributes: claims.attributes.map((a) => ({ ...a, values: [...a.values] })),
    designators: claims.designators,
  })
  const innerKey = options.innerKey ?? options.hok.key
  let request = prepared.finish(innerKey === 'none' ? new Uint8Array(256) : sign(prepared.hash, prepared.signedInfo, innerKey))
  if (innerKey === 'none') {
    request = request.replace(/<ds:Signature[ >][\s\S]*?<\/ds:Signature>/, '')
    expect(request).not.toContain('Signature')
  }
  if (options.tamper) request = options.tamper(request)
  const envelope = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${options.body ?? request}</soapenv:Body></soapenv:Envelope>`
  const ws = prepareWsSecurity(envelope, { profile: { kind: 'x509', certificateBase64: identificationCert.raw.toString('base64') }, now, newId: (k) => `${k}-${newId()}` })
  const signed = ws.finish(sign(ws.hash, ws.signedInfo, options.identification.key))

  const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8' }
  const path = options.path ?? SANDBOX_PATHS.stsSamlP
  if (options.soapAction !== null) headers.SOAPAction = options.soapAction ?? `"${findSamlpSoapAction(path)}"`
  const app = createSandboxApp(options.stateOverride ?? state, [samlpStsRoutes])
  const res = await app.request(path, { method: 'POST', headers, body: signed })
  const text = await res.text()
  return { status: res.status, text, requestId, samlpResponse: () => samlpResponseOf(text, requestId) }
}

/** The agent's side: the samlp:Response out of the SOAP Body, then parseSamlpResponse. */
function samlpResponseOf(envelopeText: string, requestId: string) {
  const env = splitEnvelope(envelopeText)
  return parseSamlpResponse(extractElementText(env.bodyRoot!, envelopeText), { expectedInResponseTo: requestId })
}

/** The status data of a refused request (parseSamlpResponse throws ERR_STS_REJECTED). */
function refusalOf(envelopeText: string, requestId: string): Record<string, unknown> {
  try {
    samlpResponseOf(envelopeText, requestId)
  } catch (err) {
    if (err instanceof AgentError && err.code === 'ERR_STS_REJECTED') return err.data as Record<string, unknown>
    throw err
  }
  throw new Error('the request was not refused')
}

function doctorClaims() {
  return claimsForProfile('doctor', { ssin: pki.keystores.doctor.ssin! })
}

function attributesOf(assertionXml: string, hokPem: string) {
  const token = checkAssertion(assertionXml, {
    trustedSigners: [stsCertificate()],
    now: new Date(),
    expectedHokCertificateBase64: base64Of(hokPem),
    expectedIssuers: [EHEALTH_STS_ISSUER],
  })
  return { token, byName: Object.fromEntries(token.attributes.map((a) => [a.name, a.values])) }
}

describe('sandbox SAML-P STS', () => {
  it('issues a doctor token the agent accepts (identification = HOK, signed request)', async () => {
    const doctor = keystore('doctor')
    const res = await callSamlp({ identification: doctor, hok: doctor })
    expect(res.status).toBe(200)
    const { assertionXml } = res.samlpResponse()
    const { token, byName } = attributesOf(assertionXml, doctor.certificatePem)
    expect(byName['urn:be:fgov:person:ssin:doctor:boolean']).toEqual(['true'])
    expect(byName['urn:be:fgov:person:ssin:ehealth:1.0:doctor:nihii11']).toEqual(['17432581004'])
    expect(byName['urn:be:fgov:person:ssin']).toEqual([pki.keystores.doctor.ssin])
    // A designator that repeats a provided attribute comes back once (TC `STSServiceImpl` lists
    // both).
    expect(token.attributes.filter((a) => a.name === 'urn:be:fgov:person:ssin')).toHaveLength(1)
    expect(token.nameIdentifier.value).toContain(`SSIN=${pki.keystores.doctor.ssin}`)
  })

  it('accepts an unsigned request when identification and HOK certificates are the same (TC does not sign it)', async () => {
    const doctor = keystore('doctor')
    const res = await callSamlp({ identification: doctor, hok: doctor, innerKey: 'none' })
    expect(res.status).toBe(200)
    expect(() => attributesOf(res.samlpResponse().assertionXml, doctor.certificatePem)).not.toThrow()
  })

  it('takes only the SOAPAction its endpoint\'s WSDL binds, quoted or not; refuses the other one, none, and another', async () => {
    const doctor = keystore('doctor')
    const current = 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken'
    const legacy = 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecureToken'
    for (const [path, good, bad] of [
      [SANDBOX_PATHS.stsSamlP, current, legacy],
      [SAMLP_LEGACY_PATH, legacy, current],
    ] as const) {
      for (const soapAction of [`"${good}"`, good]) {
        const res = await callSamlp({ identification: doctor, hok: doctor, soapAction, path })
        expect(res.status, `${path} ${soapAction}`).toBe(200)
        expect(res.samlpResponse().status).toBe('success')
      }
      for (const soapAction of [`"${bad}"`, null, '"urn:be:fgov:ehealth:sts:protocol:v1:Challenge"', '""']) {
        const wrong = await callSamlp({ identification: doctor, hok: doctor, soapAction, path })
        expect(wrong.status, `${path} ${String(soapAction)}`).toBe(500)
        const fault = parseSoapFault(wrong.text)?.ehealth
        expect(fault?.code).toBe('SOA-03001')
        expect(fault?.messages.map((m) => m.text).join(' ')).toContain(`this endpoint's WSDL binds "${good}"`)
      }
    }
  })

  it('binds the keystore when the eID identifies and the request is signed by the keystore key', async () => {
    const hok = keystore('doctor')
    const res = await callSamlp({ identification: eid('doctor'), hok })
    expect(res.status).toBe(200)
    const { token } = attributesOf(res.samlpResponse().assertionXml, hok.certificatePem)
    expect(token.hokCertificateBase64).toBe(base64Of(hok.certificatePem))
  })

  it('refuses (Requester/RequestDenied) an unsigned request when the eID identifies and the keystore is bound', async () => {
    const res = await callSamlp({ identification: eid('doctor'), hok: keystore('doctor'), innerKey: 'none' })
    expect(res.status).toBe(200)
    expect(refusalOf(res.text, res.requestId)).toEqual({
      statusCode: 'samlp:Requester',
      subStatusCode: 'samlp:RequestDenied',
      statusMessage: expect.stringMatching(/must be signed with the holder-of-key certificate/),
    })
  })

  it('refuses a request whose inner signature is by the wrong key', async () => {
    const identification = eid('doctor')
    const res = await callSamlp({ identification, hok: keystore('doctor'), innerKey: identification.key })
    expect(refusalOf(res.text, res.requestId)).toMatchObject({ statusCode: 'samlp:Requester', subStatusCode: 'samlp:RequestDenied' })
    // Also when the certificates are the same and the (optional) signature is present but wrong.
    const doctor = keystore('doctor')
    const same = await callSamlp({ identification: doctor, hok: doctor, innerKey: keystore('nurse').key })
    expect(refusalOf(same.text, same.requestId)).toMatchObject({ subStatusCode: 'samlp:RequestDenied' })
  })

  it('refuses a request changed after its inner signature', async () => {
    const res = await callSamlp({
      identification: eid('doctor'),
      hok: keystore('doctor'),
      tamper: (xml) => xml.replace('urn:be:fgov:person:ssin:doctor:boolean', 'urn:be:fgov:person:ssin:nurse:boolean'),
    })
    expect(refusalOf(res.text, res.requestId)).toMatchObject({ subStatusCode: 'samlp:RequestDenied' })
  })

  it('refuses a holder-of-key certificate from an unknown CA, even signed by its own key', async () => {
    const stranger = createTestIdentity({ subject: [['CN', 'SSIN=78031420465'], ['C', 'BE']] })
    const res = await callSamlp({ identification: eid('doctor'), hok: { key: stranger.privateKey, certificatePem: stranger.certificatePem } })
    expect(refusalOf(res.text, res.requestId)).toMatchObject({
      subStatusCode: 'samlp:RequestDenied',
      statusMessage: expect.stringMatching(/does not chain/),
    })
  })

  it('refuses (RequestDenied) a provided attribute that is false for the requester', async () => {
    const nurse = keystore('nurse')
    const res = await callSamlp({ identification: nurse, hok: nurse, claims: doctorClaims() })
    expect(refusalOf(res.text, res.requestId)).toEqual({
      statusCode: 'samlp:Requester',
      subStatusCode: 'samlp:RequestDenied',
      statusMessage: 'Attribute urn:be:fgov:ehealth:1.0:certificateholder:person:ssin does not match the certificate holder',
    })
  })

  it('answers false to a nurse asking for the doctor boolean', async () => {
    const nurse = keystore('nurse')
    const claims = claimsForProfile('doctor', { ssin: pki.keystores.nurse.ssin! })
    const res = await callSamlp({ identification: nurse, hok: nurse, claims })
    const { byName } = attributesOf(res.samlpResponse().assertionXml, nurse.certificatePem)
    expect(byName['urn:be:fgov:person:ssin:doctor:boolean']).toEqual(['false'])
    expect(byName['urn:be:fgov:person:ssin:ehealth:1.0:doctor:nihii11']).toBeUndefined()
  })

  it('chooses the lifetime itself, as eHealth\'s STS: whatever is asked, IssueInstant + its lifetime, NotBefore 5 minutes earlier', async () => {
    const doctor = keystore('doctor')
    for (const validityMs of [600_000, 90 * 24 * 3600_000]) {
      const { token } = attributesOf((await callSamlp({ identification: doctor, hok: doctor, validityMs })).samlpResponse().assertionXml, doctor.certificatePem)
      expect(token.conditions.notOnOrAfter.getTime() - token.issueInstant.getTime()).toBe(state.options.tokenLifetimeMs)
      expect(token.issueInstant.getTime() - token.conditions.notBefore.getTime()).toBe(5 * 60_000)
    }
  })

  it('answers samlp:Requester without sub-code to a request it cannot read', async () => {
    const doctor = keystore('doctor')
    const body = `<samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" RequestID="request-bad" IssueInstant="2025-01-10T09:00:00Z" MajorVersion="1" MinorVersion="1"/>`
    const res = await callSamlp({ identification: doctor, hok: doctor, body })
    expect(refusalOf(res.text, 'request-bad')).toMatchObject({ statusCode: 'samlp:Requester', subStatusCode: null })
  })

  it('answers a SOAP fault when the Body is not a samlp:Request', async () => {
    const doctor = keystore('doctor')
    const res = await callSamlp({ identification: doctor, hok: doctor, body: '<x:Other xmlns:x="urn:x"/>' })
    expect(res.status).toBe(500)
    expect(parseSoapFault(res.text)?.ehealth?.code).toBe('SOA-03001')
  })

  it('refuses a header signed by a certificate from an unknown CA (SOA-01001, as the WS-Trust STS)', async () => {
    const stranger = createTestIdentity({ subject: [['CN', 'SSIN=79021802145'], ['C', 'BE']] })
    const credential = { key: stranger.privateKey, certificatePem: stranger.certificatePem }
    const res = await callSamlp({ identification: credential, hok: credential })
    expect(res.status).toBe(500)
    expect(parseSoapFault(res.text)?.ehealth).toMatchObject({ code: 'SOA-01001', messages: [{ text: 'Service call not authenticated' }, expect.anything()] })
  })

  it('answers samlp:Responder when the STS itself fails', async () => {
    // An STS "key" that cannot sign: minting throws inside the STS.
    const broken = new SandboxState({ ...pki, sts: { ...pki.sts, privateKey: createPublicKey(pki.sts.privateKey) } }, () => new Date())
    const doctor = keystore('doctor')
    const res = await callSamlp({ identification: doctor, hok: doctor, stateOverride: broken })
    expect(res.status).toBe(200)
    expect(refusalOf(res.text, res.requestId)).toEqual({ statusCode: 'samlp:Responder', subStatusCode: null, statusMessage: 'The STS could not issue the token' })
  })
})
