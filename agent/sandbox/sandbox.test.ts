import { execFileSync } from 'node:child_process'
import { sign } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkAssertion } from '../../protocol/saml/check-assertion.js'
import { parseSoapFault } from '../../protocol/soap/parse-fault.js'
import { WSSE_NS, WSU_NS } from '../../protocol/soap/namespaces.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { prepareWsSecurity } from '../../protocol/wssec/prepare-ws-security.js'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { MemoryKeySource } from '../../test/helpers/memory-key-source.js'
import { createTestIdentity } from '../../test/helpers/test-pki.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { createHttpClient } from '../net/http-client.js'
import { issueToken, renewToken, type StsExchange } from '../session/request-token.js'
import { createSoapPoster, STS_ACTIONS } from '../sts-client.js'
import { startSandbox, type RunningSandbox } from './server.js'

let dir: string
let sandbox: RunningSandbox
let exchange: StsExchange
let n = 0
const newId = () => `t${++n}`

const http = createHttpClient()
const post = createSoapPoster({ transport: http.request, sleep: async () => {}, random: () => 0, maxAttempts: 1 })
const rawPost = (path: string, body: string, action = STS_ACTIONS.issue) =>
  fetch(sandbox.url + path, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${action}"` }, body })

function keystoreKey(id: 'doctor' | 'nurse' | 'pharmacist' | 'hospital'): MemoryKeySource {
  const ks = sandbox.state.pki.keystores[id]
  const key = new MemoryKeySource(ks.privateKey, ks.certificatePem, { label: `${id} keystore` })
  void key.login(undefined)
  return key
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'))
  sandbox = await startSandbox({ stateDir: dir })
  exchange = {
    post,
    stsUrl: sandbox.environment.stsWsTrust,
    trustedSigners: [new (await import('node:crypto')).X509Certificate(sandbox.state.pki.sts.certificatePem)],
    now: () => new Date(),
    newId,
  }
}, 120_000)

afterAll(async () => {
  await http.close()
  await sandbox?.close()
  rmSync(dir, { recursive: true, force: true })
})

function doctorClaims() {
  const ks = sandbox.state.pki.keystores.doctor
  return claimsForProfile('doctor', { ssin: ks.ssin! })
}

describe('sandbox WS-Trust STS', () => {
  it('issues a doctor token to the doctor keystore (identification = HOK), attributes from the directory', async () => {
    const key = keystoreKey('doctor')
    const token = await issueToken(exchange, { identification: key, holderOfKey: key }, doctorClaims(), 3600_000)
    expect(token.hokCertificateBase64).toBe((await key.certificate()).base64)
    const byName = Object.fromEntries(token.attributes.map((a) => [a.name, a.values]))
    expect(byName['urn:be:fgov:person:ssin:doctor:boolean']).toEqual(['true'])
    expect(byName['urn:be:fgov:person:ssin']).toEqual([sandbox.state.pki.keystores.doctor.ssin])
  })

  it('answers false to a nurse asking for the doctor boolean', async () => {
    const key = keystoreKey('nurse')
    const claims = claimsForProfile('doctor', { ssin: sandbox.state.pki.keystores.nurse.ssin! })
    const token = await issueToken(exchange, { identification: key, holderOfKey: key }, claims, 3600_000)
    const doctor = token.attributes.find((a) => a.name === 'urn:be:fgov:person:ssin:doctor:boolean')
    expect(doctor?.values).toEqual(['false'])
  })

  it('runs the SignChallenge round trip when identification (eID) and HOK (keystore) differ', async () => {
    const eid = sandbox.state.pki.eid.doctor
    const identification = new MemoryKeySource(eid.authentication.privateKey, eid.authentication.certificatePem, { label: 'eID' })
    await identification.login(undefined)
    const hok = keystoreKey('doctor')
    const token = await issueToken(exchange, { identification, holderOfKey: hok }, doctorClaims(), 3600_000)
    expect(token.hokCertificateBase64).toBe((await hok.certificate()).base64)
    expect(hok.signatures).toBe(1) // the challenge answer
    expect(identification.signatures).toBe(1) // the first request
  })

  it('refuses a challenge answered with the wrong key', async () => {
    const eid = sandbox.state.pki.eid.doctor
    const identification = new MemoryKeySource(eid.authentication.privateKey, eid.authentication.certificatePem)
    await identification.login(undefined)
    const hok = keystoreKey('doctor')
    // A holder-of-key source whose certificate is the keystore's but whose key is the eID's.
    const impostor = new MemoryKeySource(eid.authentication.privateKey, sandbox.state.pki.keystores.doctor.certificatePem)
    await impostor.login(undefined)
    void hok
    await expect(issueToken(exchange, { identification, holderOfKey: impostor }, doctorClaims(), 3600_000)).rejects.toMatchObject({
      code: 'ERR_STS_REJECTED',
    })
  })

  it('renews a token (WS-Trust Renew with the embedded assertion)', async () => {
    const key = keystoreKey('doctor')
    const keys = { identification: key, holderOfKey: key }
    const first = await issueToken(exchange, keys, doctorClaims(), 3600_000)
    const renewed = await renewToken(exchange, keys, first)
    expect(renewed.assertionId).not.toBe(first.assertionId)
    expect(renewed.attributes).toEqual(first.attributes)
    expect(renewed.hokCertificateBase64).toBe(first.hokCertificateBase64)
  })

  it("answers a duplicate claim with a fault structurally equal to seed 004's", async () => {
    const hospital = keystoreKey('hospital')
    const uri = 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number'
    const claim = `<auth:ClaimType Uri="${uri}"><auth:Value>71089914</auth:Value></auth:ClaimType>`
    // Seed 004's refused request, built by hand: our own builder would never send it.
    const rst =
      `<wst:RequestSecurityToken xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706" xmlns:wsu="${WSU_NS}" Context="RC-1">` +
      `<wst:TokenType>http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1</wst:TokenType>` +
      `<wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>` +
      `<wst:Claims Dialect="http://docs.oasis-open.org/wsfed/authorization/200706/authclaims">${claim}${claim}</wst:Claims>` +
      `<wst:Lifetime><wsu:Created>${new Date().toISOString()}</wsu:Created><wsu:Expires>${new Date(Date.now() + 3600_000).toISOString()}</wsu:Expires></wst:Lifetime>` +
      `<wst:KeyType>http://docs.oasis-open.org/ws-sx/wstrust/200512/PublicKey</wst:KeyType></wst:RequestSecurityToken>`
    const res = await rawPost('/IAM/SecurityTokenService/v1', await signX509(hospital, rst))
    expect(res.status).toBe(500)
    const fault = parseSoapFault(await res.text())!
    const seed = parseSoapFault(readFileSync(new URL('../../test/fixtures/seed-004-duplicate-claim-fault.xml', import.meta.url), 'utf8'))!
    const { id: _a, environment: envA, ...ours } = fault.ehealth!
    const { id: _b, environment: envB, ...theirs } = seed.ehealth!
    expect({ ...fault, ehealth: ours }).toEqual({ ...seed, ehealth: theirs })
    expect(envA).toBe('Simulation')
    expect(envB).toBe('Integration')
  })

  it('accepts an STS request signed by xmlsec1 and refuses it once tampered', async () => {
    requireTool('xmlsec1', 'xmlsec1')
    const ks = sandbox.state.pki.keystores.doctor
    const claims = doctorClaims()
    const { buildIssueRequest } = await import('../../protocol/sts/build-rst.js')
    const now = new Date()
    const rst = buildIssueRequest({ claims, created: now, expires: new Date(now.getTime() + 3600_000), context: 'ctx-xmlsec', hokCertificateBase64: ks.certificatePem.replace(/-----[^-]+-----|\s+/g, '') })
    const signed = xmlsecSignX509(rst, ks.privateKeyPem, ks.certificatePem.replace(/-----[^-]+-----|\s+/g, ''), now)
    const ok = await rawPost('/IAM/SecurityTokenService/v1', signed)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('RequestedSecurityToken')
    const tampered = await rawPost('/IAM/SecurityTokenService/v1', signed.replace('ctx-xmlsec', 'ctx-xmlsed'))
    expect(tampered.status).toBe(500)
    expect(parseSoapFault(await tampered.text())?.ehealth?.code).toBe('SOA-01001')
  })

  it('refuses a request signed by a certificate from an unknown CA', async () => {
    const stranger = createTestIdentity({ subject: [['CN', 'SSIN=79021802145'], ['C', 'BE']] })
    const key = new MemoryKeySource(stranger.privateKey, stranger.certificatePem)
    await key.login(undefined)
    await expect(issueToken(exchange, { identification: key, holderOfKey: key }, doctorClaims(), 3600_000)).rejects.toMatchObject({
      code: 'ERR_STS_REJECTED',
      data: { ehealth: { code: 'SOA-01001' } },
    })
  })
})

describe('sandbox HOK business service', () => {
  async function doctorToken() {
    const key = keystoreKey('doctor')
    return { key, token: await issueToken(exchange, { identification: key, holderOfKey: key }, doctorClaims(), 3600_000) }
  }
  async function hokCall(token: { xml: string; assertionId: string }, signWith: MemoryKeySource, now = new Date()) {
    const p = prepareWsSecurity(makeEnvelope(2000), { profile: { kind: 'saml-hok', assertionXml: token.xml, assertionId: token.assertionId }, now, newId: (k) => `${k}-${newId()}` })
    const res = await rawPost('/sandbox/EchoService/HolderOfKey/v1', p.finish(await signWith.sign(p.signedInfo, p.hash)))
    return { status: res.status, text: await res.text() }
  }

  it('accepts a correct holder-of-key call and summarizes it', async () => {
    const { key, token } = await doctorToken()
    const res = await hokCall(token, key)
    expect(res.status).toBe(200)
    expect(res.text).toContain('<echo:Accepted>true</echo:Accepted>')
    expect(res.text).toContain(`<echo:AssertionID>${token.assertionId}</echo:AssertionID>`)
    expect(res.text).toContain('ConsultRequest')
  })

  it('refuses a call signed by another key (SOA-01001)', async () => {
    const { token } = await doctorToken()
    const res = await hokCall(token, keystoreKey('nurse'))
    expect(parseSoapFault(res.text)?.ehealth?.code).toBe('SOA-01001')
  })

  it('refuses a stale timestamp (SOA-01001)', async () => {
    const { key, token } = await doctorToken()
    const res = await hokCall(token, key, new Date(Date.now() - 20 * 60_000))
    expect(parseSoapFault(res.text)?.ehealth).toMatchObject({
      code: 'SOA-01001',
      messages: [{ text: 'Service call not authenticated' }, { text: expect.stringMatching(/Timestamp has expired/) }],
    })
  })

  it('refuses an expired assertion (SOA-01002)', async () => {
    sandbox.state.faults.tokenLifetimeMs = 1000
    try {
      const { key, token } = await doctorToken()
      // Ten minutes later on the service's clock (beyond its 5-minute skew), with a message
      // timestamped at that time: only the assertion is out of date.
      sandbox.state.faults.clockSkewMs = 10 * 60_000
      const res = await hokCall(token, key, new Date(Date.now() + 10 * 60_000))
      expect(parseSoapFault(res.text)?.ehealth?.code).toBe('SOA-01002')
    } finally {
      sandbox.state.faults.clear()
    }
  })

  it('refuses an assertion signed by an untrusted key (SOA-01001)', async () => {
    const { key, token } = await doctorToken()
    // Re-mint the same assertion with a key the sandbox does not trust.
    const rogue = createTestIdentity({ subject: [['CN', 'rogue STS'], ['C', 'BE']] })
    const { prepareAssertion } = await import('../../protocol/saml/build-assertion.js')
    const p = prepareAssertion({
      assertionId: '_rogue0000',
      issuer: 'urn:be:fgov:ehealth:sts:1_0',
      issueInstant: new Date(),
      notBefore: new Date(),
      notOnOrAfter: new Date(Date.now() + 3600_000),
      nameIdentifier: { nameQualifier: 'x', value: token.nameIdentifier.value },
      hokCertificateBase64: token.hokCertificateBase64,
      attributes: token.attributes,
    })
    const forged = p.finish(sign(p.hash, p.signedInfo, rogue.privateKey), rogue.certificateBase64)
    const res = await hokCall({ xml: forged, assertionId: '_rogue0000' }, key)
    expect(parseSoapFault(res.text)?.ehealth?.code).toBe('SOA-01001')
  })

  it('the token it accepts is one the agent itself checks as valid', async () => {
    const { token } = await doctorToken()
    expect(() => checkAssertion(token.xml, { trustedSigners: exchange.trustedSigners, now: new Date() })).not.toThrow()
  })
})

async function signX509(key: MemoryKeySource, bodyXml: string): Promise<string> {
  const { base64 } = await key.certificate()
  const env = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
  const p = prepareWsSecurity(env, { profile: { kind: 'x509', certificateBase64: base64 }, now: new Date(), newId: (k) => `${k}-${newId()}` })
  return p.finish(await key.sign(p.signedInfo, p.hash))
}

/** The STS request signed by xmlsec1 from a template (an implementation we did not write). */
function xmlsecSignX509(bodyXml: string, keyPem: string, certBase64: string, now: Date): string {
  const d = mkdtempSync(join(tmpdir(), 'xmlsec-sts-'))
  try {
    const ref = (id: string) =>
      `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>`
    const template =
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><wsse:Security xmlns:wsse="${WSSE_NS}">` +
      `<wsu:Timestamp xmlns:wsu="${WSU_NS}" wsu:Id="TS-1"><wsu:Created>${now.toISOString()}</wsu:Created><wsu:Expires>${new Date(now.getTime() + 60_000).toISOString()}</wsu:Expires></wsu:Timestamp>` +
      `<wsse:BinarySecurityToken xmlns:wsu="${WSU_NS}" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" wsu:Id="X509-1">${certBase64}</wsse:BinarySecurityToken>` +
      `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
      ref('id-1') + ref('TS-1') + ref('X509-1') +
      `</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>` +
      `</wsse:Security></soapenv:Header><soapenv:Body xmlns:wsu="${WSU_NS}" wsu:Id="id-1">${bodyXml}</soapenv:Body></soapenv:Envelope>`
    writeFileSync(join(d, 't.xml'), template)
    writeFileSync(join(d, 'k.pem'), keyPem)
    execFileSync('xmlsec1', ['--sign', '--privkey-pem', join(d, 'k.pem'), '--id-attr:Id', `${WSU_NS}:Timestamp`, '--id-attr:Id', 'http://schemas.xmlsoap.org/soap/envelope/:Body', '--id-attr:Id', `${WSSE_NS}:BinarySecurityToken`, '--output', join(d, 'o.xml'), join(d, 't.xml')])
    return readFileSync(join(d, 'o.xml'), 'utf8')
  } finally {
    rmSync(d, { recursive: true, force: true })
  }
}
