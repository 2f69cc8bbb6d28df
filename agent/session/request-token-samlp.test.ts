import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseXml } from '../../protocol/xml/index.js'
import { SAML_NAMESPACES } from '../../protocol/saml/names.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { MemoryKeySource } from '../../test/helpers/memory-key-source.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { findPersonById } from '../sandbox/directory.js'
import { startSandbox, type RunningSandbox } from '../sandbox/server.js'
import { SAMLP_LEGACY_PATH } from '../sandbox/sts/saml-p-sts.js'
import { createHttpClient } from '../net/http-client.js'
import { createSoapPoster } from '../sts-client.js'
import { issueTokenSamlp } from './request-token-samlp.js'
import type { StsExchange } from './request-token.js'

// The agent's SAML-P request as the sandbox's strict STS sees it: the SOAPAction of the endpoint
// used, and the NameIdentifier in Java's RFC 1779 form, as the Technical Connector writes it.
let sandbox: RunningSandbox
beforeAll(async () => {
  const pki = await sharedSandboxPki()
  sandbox = await startSandbox({ stateDir: dirname(pki.dir) })
}, 120_000)
afterAll(() => sandbox?.close())

function exchangeFor(samlpUrl: string, sent: { action: string; envelope: string }[]): StsExchange {
  const post = createSoapPoster({ transport: createHttpClient().request, sleep: async () => {}, random: () => 0.5, maxAttempts: 1 })
  let n = 0
  return {
    post: (url, envelope, action, from) => {
      sent.push({ action, envelope })
      return post(url, envelope, action, from)
    },
    stsUrl: sandbox.environment.stsWsTrust,
    protocol: 'saml-p',
    samlpUrl,
    signerChain: { cas: [sandbox.state.pki.ehealthCa.certificate], signerOu: sandbox.environment.stsSignerOu },
    now: () => new Date(),
    newId: () => `id${++n}`,
  }
}

/** The request's NameIdentifier, NameQualifier and inner Assertion Issuer. */
function namesOf(envelope: string) {
  const doc = parseXml(envelope).root
  const nameId = doc.getElementsByTagNameNS(SAML_NAMESPACES.assertion, 'NameIdentifier')[0]!
  const inner = doc.getElementsByTagNameNS(SAML_NAMESPACES.assertion, 'Assertion')[0]!
  return { value: nameId.textContent, qualifier: nameId.getAttribute('NameQualifier'), issuer: inner.getAttribute('Issuer') }
}

describe('issueTokenSamlp', () => {
  it.each([
    ['the current endpoint', () => sandbox.environment.stsSamlP, 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken'],
    ['the Legacy endpoint', () => sandbox.url + SAMLP_LEGACY_PATH, 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecureToken'],
  ])('%s: its WSDL\'s SOAPAction; an eID identifies, named in RFC 1779 form', async (_what, url, action) => {
    const pki = sandbox.state.pki
    const doctor = findPersonById('doctor')
    const eid = new MemoryKeySource(pki.eid.doctor.authentication.privateKey, pki.eid.doctor.authentication.certificatePem)
    const keystore = new MemoryKeySource(pki.keystores.doctor.privateKey, pki.keystores.doctor.certificatePem)
    await eid.login(undefined)
    await keystore.login(undefined)
    const sent: { action: string; envelope: string }[] = []
    const token = await issueTokenSamlp(exchangeFor(url(), sent), { identification: eid, holderOfKey: keystore }, claimsForProfile('doctor', { ssin: doctor.ssin }), 3600_000)
    expect(token.hokCertificateBase64).toBe(pki.keystores.doctor.certificateBase64)
    expect(sent.map((s) => s.action)).toEqual([action])
    // Belgian eID subjects are encoded C, CN, SN, GN, serialNumber; Java prints them most specific
    // first, with OID. for the types RFC 1779 has no keyword for.
    const subject = `OID.2.5.4.5=${doctor.ssin}, OID.2.5.4.42=${doctor.givenName}, OID.2.5.4.4=${doctor.surname}, CN=${doctor.givenName} ${doctor.surname} (Authentication), C=BE`
    expect(namesOf(sent[0]!.envelope)).toEqual({ value: subject, qualifier: 'OID.2.5.4.5=000001, CN=TEST Citizen CA (sandbox), C=BE', issuer: subject })
  })

  it('an eHealth keystore identifies: its quoted CN and SSIN OU, as in the real token', async () => {
    const pki = sandbox.state.pki
    const ks = pki.keystores.doctor
    const keystore = new MemoryKeySource(ks.privateKey, ks.certificatePem)
    await keystore.login(undefined)
    const sent: { action: string; envelope: string }[] = []
    await issueTokenSamlp(exchangeFor(sandbox.environment.stsSamlP, sent), { identification: keystore, holderOfKey: keystore }, claimsForProfile('doctor', { ssin: ks.ssin! }), 3600_000)
    const doctor = findPersonById('doctor')
    expect(namesOf(sent[0]!.envelope)).toMatchObject({
      value: `CN="SSIN=${ks.ssin}", OU=eHealth-platform Belgium, OU=${doctor.givenName} ${doctor.surname}, OU="SSIN=${ks.ssin}", O=Federal Government, C=BE`,
      qualifier: 'CN=TEST eHealth sandbox issuing CA, OID.2.5.4.5=001, O=ehealth-agent sandbox, C=BE',
    })
  })
})
