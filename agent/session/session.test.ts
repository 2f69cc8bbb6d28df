import { createPrivateKey, sign, X509Certificate } from 'node:crypto'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentError } from '../../protocol/errors.js'
import { prepareAssertion } from '../../protocol/saml/build-assertion.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import { MemoryKeySource } from '../../test/helpers/memory-key-source.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { createFakeToken } from '../../test/helpers/keys-fake-pkcs11.js'
import { createTestIdentity, type TestIdentity } from '../../test/helpers/test-pki.js'
import type { AskOptions, SignInPrompt } from '../consent/prompter.js'
import { ScriptedPrompter } from '../consent/scripted-prompter.js'
import type { KeySource } from '../keys/key-source.js'
import { createPkcs11KeySource } from '../keys/pkcs11-key-source.js'
import { createPkcs12KeySource } from '../keys/pkcs12-key-source.js'
import { createHttpClient } from '../net/http-client.js'
import { startSandbox, type RunningSandbox } from '../sandbox/server.js'
import { createSoapPoster, type SoapPoster } from '../sts-client.js'
import { Session, type SessionOptions } from './session.js'
import { identityFromCertificate } from './identity-from-certificate.js'
import type { StsExchange } from './request-token.js'

let sandbox: RunningSandbox
let clock: FakeClock
let stsRequests = 0

beforeAll(async () => {
  const pki = await sharedSandboxPki()
  clock = new FakeClock(Date.now())
  sandbox = await startSandbox({ stateDir: dirname(pki.dir), clock: () => clock.now() })
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

function newSession(prompter: ScriptedPrompter, extra: Partial<SessionOptions> = {}, exchange: Partial<StsExchange> = {}): Session {
  let n = 0
  return new Session({
    exchange: {
      ...exchange,
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
    ...extra,
  })
}

const keystore = (): KeySource => createPkcs12KeySource({ path: sandbox.state.pki.keystores.doctor.p12Path })
const DOCTOR = { id: 'doctor', label: 'Doctor' }
/** The sandbox's eID of the demo doctor, for the fake PKCS#11 card (it keeps a PIN counter; SoftHSM2 does not). */
const eidIdentity = (): TestIdentity => {
  const id = sandbox.state.pki.eid.doctor.authentication
  const certificate = new X509Certificate(id.certificatePem)
  return { privateKey: createPrivateKey(id.privateKeyPem), privateKeyPem: id.privateKeyPem, certificatePem: id.certificatePem, certificateBase64: certificate.raw.toString('base64'), certificate }
}
const claimsFor = (profile = 'doctor') => (id: { certificate: X509Certificate }) => claimsForProfile(profile, identityFromCertificate(id.certificate))

// The login modes with an eID card (SoftHSM2 standing in for it) are in session.system.test.ts.
describe('Session: each login mode yields a token', () => {
  it('eHealth keystore only: one password prompt, naming the client, the profile and the key', async () => {
    const prompter = new ScriptedPrompter({ secret: 'sandbox' })
    const session = newSession(prompter)
    const ks = keystore()
    const token = await session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'MediSoft' }, claimsFor: claimsFor() })
    expect(token.assertion.attributes.find((a) => a.name.endsWith('doctor:boolean'))?.values).toEqual(['true'])
    expect(prompter.prompts).toHaveLength(1)
    expect(prompter.prompts[0]).toMatchObject({ client: 'MediSoft', profile: DOCTOR, requirement: { secret: 'password' } })
    await session.logout()
    expect(ks.loginState()).toBe('logged-out')
  })

  it('identification by another key than the HOK key: the SignChallenge path, the HOK key in the token', async () => {
    // The eID's authentication key held in memory: what matters here is that the two keys differ.
    const eid = sandbox.state.pki.eid.doctor.authentication
    const identification = new MemoryKeySource(eid.privateKey, eid.certificatePem, { label: 'eID stand-in' })
    const prompter = new ScriptedPrompter({ secret: 'sandbox' })
    const session = newSession(prompter)
    const ks = keystore()
    const before = stsRequests
    const token = await session.login({ profile: DOCTOR, keys: { identification, holderOfKey: ks }, client: { client: 'MediSoft' }, claimsFor: claimsFor() })
    expect(stsRequests - before).toBe(2) // the request, then the signed challenge
    expect(token.assertion.hokCertificateBase64).toBe((await ks.certificate()).base64)
    expect(token.assertion.hokCertificateBase64).not.toBe((await identification.certificate()).base64)
    expect(identification.signatures).toBeGreaterThanOrEqual(1)
    await session.logout()
  })

  it('an imported IDP token, bound to the keystore, is used as if from the STS', async () => {
    const ks = sandbox.state.pki.keystores.doctor
    const minted = mintFor(ks.certificateBase64)
    const session = newSession(new ScriptedPrompter({ secret: 'sandbox' }))
    const token = await session.importToken(minted, keystore(), DOCTOR, { client: 'tray' })
    expect(token.origin).toBe('imported')
    await session.logout()
  })
})

describe('Session: the legacy SAML-P STS as an option', () => {
  it('signs in through SAML-P (HOK-signed samlp:Request) and renews by re-issuing', async () => {
    const session = newSession(new ScriptedPrompter({ secret: 'sandbox' }), {}, { protocol: 'saml-p', samlpUrl: sandbox.environment.stsSamlP })
    const ks = keystore()
    const first = await session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })
    expect(first.assertion.attributes.find((a) => a.name.endsWith('doctor:boolean'))?.values).toEqual(['true'])
    const renewed = await session.renew()
    expect(renewed.assertion.assertionId).not.toBe(first.assertion.assertionId)
    expect(renewed.assertion.attributes.find((a) => a.name.endsWith('doctor:boolean'))?.values).toEqual(['true'])
    await session.logout()
  })
})

describe('Session: PIN handling (threat T11)', () => {
  it('a locked PIN (simulated: SoftHSM cannot lock) gives ERR_PIN_LOCKED without a prompt', async () => {
    const prompter = new ScriptedPrompter({ secret: '1234' })
    const session = newSession(prompter)
    const id = sandbox.state.pki.eid.doctor.authentication
    const locked = new MemoryKeySource(id.privateKey, id.certificatePem)
    locked.loginRequirement = async () => {
      const { AgentError } = await import('../../protocol/errors.js')
      throw new AgentError('ERR_PIN_LOCKED')
    }
    await expect(session.login({ profile: DOCTOR, keys: { identification: locked, holderOfKey: locked }, client: { client: 'x' }, claimsFor: claimsFor() })).rejects.toMatchObject({
      code: 'ERR_PIN_LOCKED',
    })
    expect(prompter.prompts).toHaveLength(0)
  })

  it('a wrong password is asked again (the user types the next try), then the right one signs in: one login, one STS request', async () => {
    const prompter = new ScriptedPrompter({ secret: 'not-it', again: () => 'sandbox' })
    const session = newSession(prompter)
    const ks = keystore()
    const before = stsRequests
    await session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })
    expect(prompter.prompts).toHaveLength(1)
    expect(prompter.refusals).toEqual([{ code: 'ERR_PASSWORD_INCORRECT' }])
    expect(stsRequests - before).toBe(1)
    await session.logout()
  })

  it('a card reporting its PIN counter: each refusal carries the tries left it reports; the right PIN signs in', async () => {
    const tries = ['1111', '1234']
    const prompter = new ScriptedPrompter({ secret: '0000', again: () => tries.shift()! })
    const session = newSession(prompter)
    const fake = createFakeToken({ identity: eidIdentity(), pin: '1234', tries: 3 })
    const card = createPkcs11KeySource({ binding: fake.binding, modulePath: 'fake.so' })
    await session.login({ profile: DOCTOR, keys: { identification: card, holderOfKey: card }, client: { client: 'x' }, claimsFor: claimsFor() })
    expect(prompter.refusals).toEqual([
      { code: 'ERR_PIN_INCORRECT', retriesLeft: 'low' },
      { code: 'ERR_PIN_INCORRECT', retriesLeft: 1 },
    ])
    expect(fake.logins).toEqual(['0000', '1111', '1234'])
    await session.logout()
  })

  it('a wrong PIN that locks the card ends the sign-in with ERR_PIN_LOCKED; a user who stops ends it with ERR_USER_CANCELLED', async () => {
    const locking = new ScriptedPrompter({ secret: '0000', again: () => '0000' })
    const fake = createFakeToken({ identity: eidIdentity(), pin: '1234', tries: 2 })
    const card = createPkcs11KeySource({ binding: fake.binding, modulePath: 'fake.so' })
    await expect(newSession(locking).login({ profile: DOCTOR, keys: { identification: card, holderOfKey: card }, client: { client: 'x' }, claimsFor: claimsFor() })).rejects.toMatchObject({
      code: 'ERR_PIN_LOCKED',
    })
    expect(locking.refusals).toEqual([{ code: 'ERR_PIN_INCORRECT', retriesLeft: 1 }])
    expect(fake.logins).toEqual(['0000', '0000'])
    const stopping = new ScriptedPrompter({ secret: 'not-it', again: () => 'cancel' })
    const ks = keystore()
    await expect(newSession(stopping).login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })).rejects.toMatchObject({
      code: 'ERR_USER_CANCELLED',
    })
    expect(ks.loginState()).toBe('logged-out')
  })

  it('a caller that goes away while the user is asked: its login ends at once and the question is withdrawn; the next login asks afresh', async () => {
    const withdrawn: string[] = []
    let asked = 0
    const waitingPrompter = new ScriptedPrompter({ secret: 'sandbox' })
    // A user who never answers: the question stays until its signal withdraws it.
    waitingPrompter.askSecret = (_prompt: SignInPrompt, options?: AskOptions) =>
      new Promise<string>((_resolve, reject) => {
        asked++
        options?.signal?.addEventListener('abort', () => {
          withdrawn.push('withdrawn')
          reject(new AgentError('ERR_USER_CANCELLED', 'the application withdrew its request'))
        })
      })
    const session = newSession(waitingPrompter)
    const ks = keystore()
    const request = { profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() }
    const one = new AbortController()
    const two = new AbortController()
    const a = session.login(request, { signal: one.signal })
    const b = session.login(request, { signal: two.signal })
    await new Promise((r) => setImmediate(r))
    one.abort()
    await expect(a).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(withdrawn).toEqual([])
    two.abort()
    await expect(b).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(withdrawn).toEqual(['withdrawn'])
    const again = session.login(request, { signal: new AbortController().signal })
    again.catch(() => undefined)
    await new Promise((r) => setImmediate(r))
    expect(asked).toBe(2)
  })

  it('10 concurrent logins produce one prompt and one token', async () => {
    const prompter = new ScriptedPrompter({ secret: 'sandbox' })
    const session = newSession(prompter)
    const ks = keystore()
    const logins = await Promise.all(
      Array.from({ length: 10 }, () => session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })),
    )
    expect(new Set(logins.map((t) => t.assertion.assertionId)).size).toBe(1)
    expect(prompter.prompts).toHaveLength(1)
    await session.logout()
  })
})

describe('Session: renewal (threat T15)', () => {
  it('100 concurrent requests at the renewal point cause exactly one STS request and none fails', async () => {
    const session = newSession(new ScriptedPrompter({ secret: 'sandbox' }))
    const ks = keystore()
    const first = await session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })
    // Jump to the renewal point without letting the background timer renew first.
    clock.advance(first.renewAt.getTime() - clock.now().getTime() + 1, false)
    const before = stsRequests
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => session.token()))
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    expect(stsRequests - before).toBe(1)
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ assertion: { assertionId: string } }>).value.assertion.assertionId))
    expect(ids.size).toBe(1)
    expect([...ids][0]).not.toBe(first.assertion.assertionId)
    await session.logout()
  })

  it('the background timer renews ahead of expiry, and the token is wiped at expiry if renewal keeps failing', async () => {
    const session = newSession(new ScriptedPrompter({ secret: 'sandbox' }))
    const ks = keystore()
    const first = await session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })
    sandbox.state.faults.add('/IAM/', { kind: 'http', status: 503 }, Infinity)
    try {
      clock.advance(first.assertion.conditions.notOnOrAfter.getTime() - clock.now().getTime() + 1)
      await new Promise((r) => setTimeout(r, 50))
      expect(session.current()).toBeUndefined() // IAM eXchange Annex A §1.5: nothing kept past validity
    } finally {
      sandbox.state.faults.clear()
    }
  })

  it('announces ahead of time a renewal that will need the PIN', async () => {
    const prompter = new ScriptedPrompter({ secret: 'sandbox' })
    const session = newSession(prompter)
    const ks = keystore()
    const first = await session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })
    await ks.logout() // as if the keystore had been locked again
    clock.advance(first.renewAt.getTime() - clock.now().getTime() - 9 * 60_000, true)
    expect(prompter.notices.some((n) => n.kind === 'renewal-needed')).toBe(true)
    await session.logout()
  })
})

describe('Session: the STS answering badly', () => {
  it('503 then 200: the login succeeds after a retry', async () => {
    sandbox.state.faults.add('/IAM/SecurityTokenService/v1', { kind: 'http', status: 503 }, 1)
    const session = newSession(new ScriptedPrompter({ secret: 'sandbox' }))
    const ks = keystore()
    const before = stsRequests
    await session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })
    expect(stsRequests - before).toBe(1) // one call from our side; the poster retried underneath
    await session.logout()
  })

  it('a BusinessError is surfaced with eHealth code and messages, not retried', async () => {
    sandbox.state.faults.add('/IAM/SecurityTokenService/v1', { kind: 'soap-fault', code: 'SOA-01002', messages: ['Service call not authorized'] }, 1)
    const session = newSession(new ScriptedPrompter({ secret: 'sandbox' }))
    const ks = keystore()
    await expect(session.login({ profile: DOCTOR, keys: { identification: ks, holderOfKey: ks }, client: { client: 'x' }, claimsFor: claimsFor() })).rejects.toMatchObject({
      code: 'ERR_STS_REJECTED',
      data: { ehealth: { code: 'SOA-01002', messages: ['Service call not authorized'], environment: 'Simulation' } },
    })
  })
})

describe('Session: imported tokens that must be refused', () => {
  it('bound to someone else, expired, or signed by an untrusted key', async () => {
    const session = newSession(new ScriptedPrompter({ secret: 'sandbox' }))
    const nurse = sandbox.state.pki.keystores.nurse.certificateBase64
    await expect(session.importToken(mintFor(nurse), keystore(), DOCTOR, { client: 'x' })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_BOUND' })
    const doctor = sandbox.state.pki.keystores.doctor.certificateBase64
    await expect(session.importToken(mintFor(doctor, -7200_000), keystore(), DOCTOR, { client: 'x' })).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
    const rogue = createTestIdentity({ subject: [['CN', 'rogue STS'], ['C', 'BE']] })
    await expect(session.importToken(mintFor(doctor, 0, rogue), keystore(), DOCTOR, { client: 'x' })).rejects.toMatchObject({ code: 'ERR_TOKEN_UNTRUSTED' })
    expect(session.current()).toBeUndefined()
  })
})

/**
 * A token as the IDP would hand out (I.AM fat-client SSO spec v1.0): minted by the sandbox STS key,
 * or another key.
 */
function mintFor(hokBase64: string, offsetMs = 0, signer?: { privateKey: import('node:crypto').KeyObject; certificateBase64: string }): string {
  const now = new Date(clock.now().getTime() + offsetMs)
  const p = prepareAssertion({
    assertionId: `_imp${Math.floor(Math.random() * 1e9)}`,
    issuer: 'urn:be:fgov:ehealth:sts:1_0',
    issueInstant: now,
    notBefore: now,
    notOnOrAfter: new Date(now.getTime() + 3600_000),
    nameIdentifier: { nameQualifier: 'CN=TEST eHealth sandbox issuing CA', value: 'CN="SSIN=78031420465"' },
    hokCertificateBase64: hokBase64,
    attributes: [{ name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: ['78031420465'] }],
  })
  const key = signer ?? { privateKey: sandbox.state.pki.sts.privateKey, certificateBase64: sandbox.state.pki.sts.certificateBase64 }
  return p.finish(sign(p.hash, p.signedInfo, key.privateKey), key.certificateBase64)
}
