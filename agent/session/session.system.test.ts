import { X509Certificate } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { ScriptedPrompter } from '../consent/scripted-prompter.js'
import type { KeySource } from '../keys/key-source.js'
import { createPkcs11KeySource } from '../keys/pkcs11-key-source.js'
import { createPkcs12KeySource } from '../keys/pkcs12-key-source.js'
import { createHttpClient } from '../net/http-client.js'
import { provisionEidToken, SANDBOX_EID_PIN } from '../sandbox/softhsm.js'
import { startSandbox, type RunningSandbox } from '../sandbox/server.js'
import { createSoapPoster, type SoapPoster } from '../sts-client.js'
import { Session } from './session.js'
import { identityFromCertificate } from './identity-from-certificate.js'

// The session's login modes with an eID card, through the real PKCS#11 module: SoftHSM2
// provisioned as the doctor's Belgian eID. Everything else about the session is in
// session.test.ts.

let sandbox: RunningSandbox
let clock: FakeClock
let stsRequests = 0
let eidModule: { modulePath: string; tokenLabel: string }

beforeAll(async () => {
  const pki = await sharedSandboxPki()
  clock = new FakeClock(Date.now())
  sandbox = await startSandbox({ stateDir: dirname(pki.dir), clock: () => clock.now() })
  // The doctor's eID as a SoftHSM2 token (the stand-in for a card in a reader).
  const eid = pki.eid.doctor
  const token = await provisionEidToken({
    stateDir: mkdtempSync(join(tmpdir(), 'session-eid-')),
    pin: SANDBOX_EID_PIN,
    authentication: { privateKeyPem: eid.authentication.privateKeyPem, certificatePem: eid.authentication.certificatePem },
    signature: { privateKeyPem: eid.signature.privateKeyPem, certificatePem: eid.signature.certificatePem },
  })
  process.env.SOFTHSM2_CONF = token.softhsmConf // pkcs11js loads SoftHSM in this process
  eidModule = token
}, 120_000)

const http = createHttpClient()
afterAll(async () => {
  await http.close()
  await sandbox?.close()
})

function countingPoster(): SoapPoster {
  const post = createSoapPoster({ transport: http.request, sleep: async () => {}, random: () => 0.5, maxAttempts: 3, baseDelayMs: 1 })
  return (url, envelope, action, from) => {
    if (url.includes('/IAM/')) stsRequests++
    return post(url, envelope, action, from)
  }
}

function newSession(prompter: ScriptedPrompter): Session {
  let n = 0
  return new Session({
    exchange: {
      post: countingPoster(),
      stsUrl: sandbox.environment.stsWsTrust,
      trustedSigners: [new X509Certificate(sandbox.state.pki.sts.certificatePem)],
      now: () => clock.now(),
      newId: () => `id${++n}`,
    },
    clock,
    prompter,
    environment: 'Sandbox',
    lifetimeMs: 3600_000,
    random: () => 0.5,
  })
}

const keystore = (): KeySource => createPkcs12KeySource({ path: sandbox.state.pki.keystores.doctor.p12Path })
const eidCard = (): KeySource => createPkcs11KeySource({ modulePath: eidModule.modulePath, token: { label: eidModule.tokenLabel } })
const DOCTOR = { id: 'doctor', label: 'Doctor' }
const claimsFor = (profile = 'doctor') => (id: { certificate: X509Certificate }) => claimsForProfile(profile, identityFromCertificate(id.certificate))

describe('Session: login modes with the eID card', () => {
  it('eID identification + keystore as HOK: the SignChallenge path, a PIN and a password', async () => {
    const prompter = new ScriptedPrompter({ secret: (p) => (p.requirement.secret === 'pin' ? SANDBOX_EID_PIN : 'sandbox') })
    const session = newSession(prompter)
    const ks = keystore()
    const card = eidCard()
    const before = stsRequests
    const token = await session.login({ profile: DOCTOR, keys: { identification: card, holderOfKey: ks }, client: { client: 'MediSoft' }, claimsFor: claimsFor() })
    expect(stsRequests - before).toBe(2) // the request, then the signed challenge
    expect(token.assertion.hokCertificateBase64).toBe((await ks.certificate()).base64)
    expect(prompter.prompts.map((p) => p.requirement.secret).sort()).toEqual(['password', 'pin'])
    await session.logout()
    await card.close()
  })

  it('eID only: the card identifies and is the HOK key', async () => {
    const prompter = new ScriptedPrompter({ secret: SANDBOX_EID_PIN })
    const session = newSession(prompter)
    const card = eidCard()
    const token = await session.login({ profile: { id: 'citizen', label: 'Citizen' }, keys: { identification: card, holderOfKey: card }, client: { client: 'x' }, claimsFor: claimsFor('citizen') })
    expect(token.assertion.hokCertificateBase64).toBe((await card.certificate()).base64)
    await session.logout()
    await card.close()
  })
})

describe('Session: PIN handling with the eID card (threat T11)', () => {
  it('a wrong PIN gives ERR_PIN_INCORRECT, asked once, never retried', async () => {
    const prompter = new ScriptedPrompter({ secret: '9999' })
    const session = newSession(prompter)
    const card = eidCard()
    await expect(
      session.login({ profile: DOCTOR, keys: { identification: card, holderOfKey: card }, client: { client: 'x' }, claimsFor: claimsFor() }),
    ).rejects.toMatchObject({ code: 'ERR_PIN_INCORRECT' })
    expect(prompter.prompts).toHaveLength(1)
    expect(card.loginState()).toBe('logged-out')
    await card.close()
  })
})
