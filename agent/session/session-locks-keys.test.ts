import { dirname } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { sandboxStsExchange } from '../../test/helpers/sandbox-sts-exchange.js'
import { AgentError } from '../../protocol/errors.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import { createFakeToken, type FakeToken } from '../../test/helpers/keys-fake-pkcs11.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { ScriptedPrompter, type PromptScript } from '../consent/scripted-prompter.js'
import type { KeySource } from '../keys/key-source.js'
import { createPkcs11KeySource } from '../keys/pkcs11-key-source.js'
import { createPkcs12KeySource } from '../keys/pkcs12-key-source.js'
import { createSessionKeySource } from '../keys/session-key-source.js'
import type { InjectedFault } from '../sandbox/fault-injector.js'
import { SANDBOX_EID_PIN } from '../sandbox/softhsm.js'
import { startSandbox, type RunningSandbox } from '../sandbox/server.js'
import { identityFromCertificate } from './identity-from-certificate.js'
import type { LoginKeys } from './request-token.js'
import { Session } from './session.js'

// A failed or cancelled sign-in, and every logout, leave every key source locked: the next
// sign-in asks the user again. Before this was fixed, an STS answering 503 left the keystore (or
// the card) unlocked, `logout` returned early for want of a token, and the next sign-in went
// through without asking anyone.

let sandbox: RunningSandbox
let clock: FakeClock

beforeAll(async () => {
  const pki = await sharedSandboxPki()
  clock = new FakeClock(Date.now())
  sandbox = await startSandbox({ stateDir: dirname(pki.dir), clock: () => clock.now() })
})

afterAll(async () => {
  await sandbox?.close()
})

afterEach(() => sandbox.state.faults.clear())

const DOCTOR = { id: 'doctor', label: 'Doctor' }
const STS_PATH = '/IAM/SecurityTokenService/v1'

interface Keys {
  keystore: KeySource
  eid: KeySource
  card: FakeToken
  sessionKey: KeySource
  all: KeySource[]
}

/** The agent's three kinds of key source: the doctor's keystore, her eID on a scripted PKCS#11 token, a session key. */
async function createKeys(): Promise<Keys> {
  const pki = await sharedSandboxPki()
  const keystore = createPkcs12KeySource({ path: pki.keystores.doctor.p12Path })
  const card = createFakeToken({ identity: pki.eid.doctor.authentication, pin: SANDBOX_EID_PIN })
  const eid = createPkcs11KeySource({ modulePath: 'fake', binding: card.binding })
  const sessionKey = createSessionKeySource({ now: () => clock.now().getTime() })
  return { keystore, eid, card, sessionKey, all: [keystore, eid, sessionKey] }
}

function newSession(keys: Keys, script: PromptScript): { session: Session; prompter: ScriptedPrompter } {
  const prompter = new ScriptedPrompter(script)
  const session = new Session({
    exchange: sandboxStsExchange(sandbox, () => clock.now(), { idPrefix: 'lock' }),
    clock,
    prompter,
    environment: 'Sandbox',
    lifetimeMs: 3600_000,
    random: () => 0.5,
    keySources: () => keys.all,
  })
  return { session, prompter }
}

const bothSecrets: PromptScript = { secret: (p) => (p.requirement.secret === 'pin' ? SANDBOX_EID_PIN : 'sandbox') }

function login(session: Session, keys: LoginKeys) {
  return session.login({
    profile: DOCTOR,
    keys,
    client: { client: 'MediSoft' },
    claimsFor: (identification) => claimsForProfile('doctor', identityFromCertificate(identification.certificate)),
  })
}

function lockStates(keys: Keys): string[] {
  return keys.all.map((k) => `${k.kind}:${k.loginState()}`)
}

const ALL_LOCKED = ['pkcs12:logged-out', 'pkcs11:logged-out', 'session:logged-out']

describe('a failed sign-in leaves every key source locked, so the next one asks again', () => {
  const methods: [string, (k: Keys) => LoginKeys, number][] = [
    ['keystore', (k) => ({ identification: k.keystore, holderOfKey: k.keystore }), 1],
    ['eid (PKCS#11)', (k) => ({ identification: k.eid, holderOfKey: k.eid }), 1],
    ['eid+keystore', (k) => ({ identification: k.eid, holderOfKey: k.keystore }), 2],
  ]

  it.each(methods)('%s: STS 503, then logout, then login: the user is asked again (prompts doubled)', async (_name, pick, promptsPerLogin) => {
    const keys = await createKeys()
    const { session, prompter } = newSession(keys, bothSecrets)
    sandbox.state.faults.add(STS_PATH, { kind: 'http', status: 503 }, Infinity)
    await expect(login(session, pick(keys))).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
    sandbox.state.faults.clear()
    await session.logout()
    await login(session, pick(keys))
    expect(prompter.prompts).toHaveLength(2 * promptsPerLogin)
    await session.logout()
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
  })

  it('the card is really logged out (C_Logout), not only forgotten by the agent', async () => {
    const keys = await createKeys()
    const { session } = newSession(keys, bothSecrets)
    sandbox.state.faults.add(STS_PATH, { kind: 'http', status: 503 }, Infinity)
    await expect(login(session, { identification: keys.eid, holderOfKey: keys.eid })).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(keys.card.logins).toEqual([SANDBOX_EID_PIN])
    expect(keys.card.logouts).toBeGreaterThanOrEqual(1)
    expect(keys.card.loggedIn).toBe(false)
  })

  it.each([
    ['a cancelled prompt', 'cancel', 'ERR_USER_CANCELLED'],
    ['a prompt not answered in time', 'timeout', 'ERR_USER_TIMEOUT'],
    ['a wrong keystore password', 'wrong-password', 'ERR_PASSWORD_INCORRECT'],
  ] as const)('eid+keystore, the PIN right and then %s: the card is locked again', async (_name, answer, code) => {
    const keys = await createKeys()
    const { session, prompter } = newSession(keys, { secret: (p) => (p.requirement.secret === 'pin' ? SANDBOX_EID_PIN : answer) })
    await expect(login(session, { identification: keys.eid, holderOfKey: keys.keystore })).rejects.toMatchObject({ code })
    expect(prompter.prompts.map((p) => p.requirement.secret)).toEqual(['pin', 'password'])
    expect(keys.card.loggedIn).toBe(false)
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
  })

  it.each<[string, InjectedFault]>([
    ['garbage instead of XML', { kind: 'garbage' }],
    ['a SOAP fault', { kind: 'soap-fault', code: 'SOA-01002', messages: ['Service call not authorized'] }],
    ['a connection reset', { kind: 'reset' }],
  ])('the STS answers with %s: every key source locked', async (_name, fault) => {
    const keys = await createKeys()
    const { session } = newSession(keys, bothSecrets)
    sandbox.state.faults.add(STS_PATH, fault, Infinity)
    await expect(login(session, { identification: keys.eid, holderOfKey: keys.keystore })).rejects.toBeInstanceOf(AgentError)
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
  })

  it('a wrong PIN: nothing unlocked, and the next sign-in asks again', async () => {
    const keys = await createKeys()
    let pin = '0000'
    const { session, prompter } = newSession(keys, { secret: () => pin })
    await expect(login(session, { identification: keys.eid, holderOfKey: keys.eid })).rejects.toMatchObject({ code: 'ERR_PIN_INCORRECT' })
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
    pin = SANDBOX_EID_PIN
    await login(session, { identification: keys.eid, holderOfKey: keys.eid })
    expect(prompter.prompts).toHaveLength(2)
    await session.logout()
  })

  it('an imported token that is not a token: refused before anyone is asked, every key stays locked', async () => {
    const keys = await createKeys()
    const { session, prompter } = newSession(keys, bothSecrets)
    await expect(session.importToken('<not-a-token/>', keys.keystore, DOCTOR, { client: 'tray' })).rejects.toBeInstanceOf(AgentError)
    expect(prompter.prompts).toHaveLength(0)
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
  })

  it('an imported token bound to another certificate: the card unlocked to check it is locked again', async () => {
    const keys = await createKeys()
    // A genuine token of this STS, bound to the keystore's certificate.
    const issuer = newSession(keys, bothSecrets).session
    const { assertion } = await login(issuer, { identification: keys.keystore, holderOfKey: keys.keystore })
    await issuer.logout()
    const { session, prompter } = newSession(keys, bothSecrets)
    // Offered with the eID as its key: signature and validity pass, so the card is unlocked; the binding does not.
    await expect(session.importToken(assertion.xml, keys.eid, DOCTOR, { client: 'tray' })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_BOUND' })
    expect(prompter.prompts).toHaveLength(1)
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
  })

  it('an imported token refused while a session runs: the running session keeps its keys', async () => {
    const keys = await createKeys()
    const { session } = newSession(keys, bothSecrets)
    await login(session, { identification: keys.keystore, holderOfKey: keys.keystore })
    await expect(session.importToken('<not-a-token/>', keys.keystore, DOCTOR, { client: 'tray' })).rejects.toBeInstanceOf(AgentError)
    expect(keys.keystore.loginState()).toBe('logged-in')
    expect(session.current()).toBeDefined()
    await session.logout()
  })

  it('a delegated (IAM Connect) sign-in that fails after the session key was made: the key is dropped', async () => {
    const keys = await createKeys()
    const { session } = newSession(keys, bothSecrets)
    const failed = session.loginDelegated({
      profile: DOCTOR,
      holderOfKey: keys.sessionKey,
      client: { client: 'MediSoft' },
      obtain: async () => {
        throw new AgentError('ERR_USER_CANCELLED', 'the user closed the browser')
      },
    })
    await expect(failed).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
  })
})

describe('logout locks every key source, with or without a token', () => {
  it('no token: a key source unlocked outside any session is locked by logout', async () => {
    const keys = await createKeys()
    const { session } = newSession(keys, bothSecrets)
    await keys.keystore.login('sandbox')
    await keys.eid.login(SANDBOX_EID_PIN)
    await keys.sessionKey.login(undefined)
    expect(session.current()).toBeUndefined()
    await session.logout()
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
    expect(keys.card.loggedIn).toBe(false)
  })

  it('a logout while a sign-in is in flight wins: the sign-in fails and nothing stays unlocked', async () => {
    const keys = await createKeys()
    let session!: Session
    let loggedOut: Promise<void> | undefined
    const created = newSession(keys, {
      secret: () => {
        // The user presses "sign out" in the tray while the sign-in dialog is still open.
        loggedOut = session.logout()
        return 'sandbox'
      },
    })
    session = created.session
    await expect(login(session, { identification: keys.keystore, holderOfKey: keys.keystore })).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    await loggedOut
    expect(session.current()).toBeUndefined()
    expect(lockStates(keys)).toEqual(ALL_LOCKED)
  })
})
