import { sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkAssertion } from '../../protocol/saml/check-assertion.js'
import { parseSoapFault } from '../../protocol/soap/parse-fault.js'
import { WSU_NS } from '../../protocol/soap/namespaces.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { prepareWsSecurity } from '../../protocol/wssec/prepare-ws-security.js'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { MemoryKeySource } from '../../test/helpers/memory-key-source.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { createTestIdentity } from '../../test/helpers/test-pki.js'
import { createHttpClient } from '../net/http-client.js'
import { issueToken, renewToken, type StsExchange } from '../session/request-token.js'
import { createSoapPoster, STS_ACTIONS } from '../sts-client.js'
import { startSandbox, type RunningSandbox } from './server.js'

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
  // The PKI shared by the test run: these tests use its keys; generating them is tested elsewhere.
  sandbox = await startSandbox({ stateDir: dirname((await sharedSandboxPki()).dir) })
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

  it("answers a duplicate claim with a fault structurally equal to eHealth's R2024.1 example", async () => {
    const hospital = keystoreKey('hospital')
    const uri = 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number'
    const claim = `<auth:ClaimType Uri="${uri}"><auth:Value>71089914</auth:Value></auth:ClaimType>`
    // The refused request of the R2024.1 STS announcement, built by hand: our own builder would
    // never send it.
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
    const announced = parseSoapFault(readFileSync(new URL('../../test/fixtures/sts-duplicate-claim-fault.xml', import.meta.url), 'utf8'))!
    const { id: _a, environment: envA, ...ours } = fault.ehealth!
    const { id: _b, environment: envB, ...theirs } = announced.ehealth!
    expect({ ...fault, ehealth: ours }).toEqual({ ...announced, ehealth: theirs })
    expect(envA).toBe('Simulation')
    expect(envB).toBe('Integration')
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
