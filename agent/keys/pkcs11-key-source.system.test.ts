import { verify } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeToken } from '../../test/helpers/keys-fake-pkcs11.js'
import { provisionEidToken, type ProvisionedToken } from '../sandbox/softhsm.js'
import { createTestIdentity, type TestIdentity } from '../../test/helpers/test-pki.js'
import { Pkcs11CallError, TOKEN_FLAGS, type Pkcs11Binding, type Pkcs11Module } from './pkcs11-binding.js'
import { createPkcs11KeySource, pkcs11jsBinding, type Pkcs11KeySourceOptions } from './pkcs11-key-source.js'

const PIN = '1234'
const DATA = Buffer.from('<ds:SignedInfo>eID</ds:SignedInfo>')

let stateDir: string
let token: ProvisionedToken
let citizenCa: TestIdentity
let authentication: TestIdentity
let signature: TestIdentity

beforeAll(async () => {
  citizenCa = createTestIdentity({ subject: [['CN', 'Citizen CA'], ['SERIALNUMBER', '201901'], ['C', 'BE']], isCa: true })
  const citizen = (role: string): TestIdentity =>
    createTestIdentity({
      subject: [['C', 'BE'], ['CN', `Jan Peeters (${role})`], ['SURNAME', 'Peeters'], ['GIVENNAME', 'Jan'], ['SERIALNUMBER', '79021802145']],
      issuer: citizenCa,
    })
  authentication = citizen('Authentication')
  signature = citizen('Signature')
  stateDir = mkdtempSync(join(tmpdir(), 'keys-softhsm-'))
  token = await provisionEidToken({ stateDir, pin: PIN, authentication, signature })
  // pkcs11js loads SoftHSM in this process; it reads SOFTHSM2_CONF at C_Initialize.
  process.env.SOFTHSM2_CONF = token.softhsmConf
})

afterAll(() => rmSync(stateDir, { recursive: true, force: true }))

/** Wraps the real pkcs11js binding: counts C_Login and watches that no session runs two signatures at once. */
function createObservedBinding(real: Pkcs11Binding = pkcs11jsBinding) {
  const observed = { logins: 0, collisions: 0, maxParallel: 0, sessionsUsed: new Set<string>(), removed: false }
  const inFlight = new Set<string>()
  const binding: Pkcs11Binding = {
    open(modulePath) {
      const m = real.open(modulePath)
      const wrapped: Pkcs11Module = {
        ...m,
        listSlots: () => (observed.removed ? [] : m.listSlots()),
        getTokenInfo: (slot) => {
          if (observed.removed) throw new Pkcs11CallError('CKR_TOKEN_NOT_PRESENT', 'C_GetTokenInfo')
          return m.getTokenInfo(slot)
        },
        openSession: (slot) => {
          if (observed.removed) throw new Pkcs11CallError('CKR_TOKEN_NOT_PRESENT', 'C_OpenSession')
          return m.openSession(slot)
        },
        login: (session, pin) => {
          observed.logins++
          return m.login(session, pin)
        },
        sign: async (session, key, hash, data) => {
          // After a removal the middleware answers with an invalid session (v2.40 §5.1.2).
          if (observed.removed) throw new Pkcs11CallError('CKR_SESSION_HANDLE_INVALID', 'C_SignInit')
          const id = session.toString('hex')
          if (inFlight.has(id)) observed.collisions++
          inFlight.add(id)
          observed.sessionsUsed.add(id)
          observed.maxParallel = Math.max(observed.maxParallel, inFlight.size)
          try {
            return await m.sign(session, key, hash, data)
          } finally {
            inFlight.delete(id)
          }
        },
        release: () => m.release(),
      }
      return wrapped
    },
  }
  return { binding, observed }
}

function createSource(options: Pkcs11KeySourceOptions = {}) {
  const { binding, observed } = createObservedBinding()
  const source = createPkcs11KeySource({ modulePath: token.modulePath, binding, ...options })
  return { source, observed }
}

const verifies = (sig: Uint8Array, identity: TestIdentity, hash: 'sha256' | 'sha1' = 'sha256', data: Uint8Array = DATA) =>
  verify(hash, data, identity.certificate.publicKey, sig)

describe('PKCS#11 key source against SoftHSM2 provisioned like an eID', () => {
  it('reads the Authentication certificate without a PIN and names the card holder', async () => {
    const { source, observed } = createSource()
    try {
      expect(source.kind).toBe('pkcs11')
      expect(source.label).toBe('PKCS#11 token (Authentication key)')
      const { certificate, base64 } = await source.certificate()
      expect(base64).toBe(authentication.certificateBase64)
      expect(certificate.fingerprint256).toBe(authentication.certificate.fingerprint256)
      expect(source.label).toBe('eID card of Jan Peeters (BELPIC)')
      expect(await source.loginRequirement()).toEqual({ secret: 'pin' })
      expect(source.protectedAuthenticationPath).toBe(false)
      expect(observed.logins).toBe(0)
      expect(source.loginState()).toBe('logged-out')
    } finally {
      await source.close()
    }
  })

  it('logs in with the right PIN and signs; the signature verifies with the certificate', async () => {
    const { source, observed } = createSource()
    try {
      await source.login(PIN)
      expect(source.loginState()).toBe('logged-in')
      expect(observed.logins).toBe(1)
      expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
      expect(verifies(await source.sign(DATA, 'sha1'), authentication, 'sha1')).toBe(true)
      expect(verifies(await source.sign(DATA, 'sha256'), signature)).toBe(false)
      // A second login while logged in does not touch the token again.
      await source.login(PIN)
      expect(observed.logins).toBe(1)
    } finally {
      await source.close()
    }
  })

  it('a wrong PIN gives ERR_PIN_INCORRECT with the tries-left hint and is never retried', async () => {
    const { source, observed } = createSource()
    try {
      const error = await source.login('9999').catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'AgentError', code: 'ERR_PIN_INCORRECT', data: { ckr: 'CKR_PIN_INCORRECT', operation: 'C_Login' } })
      // SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a failure; PKCS#11 gives no exact count.
      expect((error as { data: { retriesLeft?: unknown } }).data.retriesLeft).toBe('low')
      expect(JSON.stringify(error)).not.toContain('9999')
      expect(observed.logins).toBe(1)
      expect(source.loginState()).toBe('logged-out')
      await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
      expect(observed.logins).toBe(1)
      // The user tries again, with the right PIN: exactly one more C_Login.
      await source.login(PIN)
      expect(observed.logins).toBe(2)
      expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
    } finally {
      await source.close()
    }
  })

  it('refuses a PIN of the wrong length, or none, before C_Login (no try is spent)', async () => {
    const { source, observed } = createSource()
    try {
      await expect(source.login('12')).rejects.toMatchObject({ code: 'ERR_PIN_INCORRECT', data: { reason: 'length' } })
      await expect(source.login(undefined)).rejects.toMatchObject({ code: 'ERR_PIN_INCORRECT', data: { reason: 'missing' } })
      expect(observed.logins).toBe(0)
    } finally {
      await source.close()
    }
  })

  it('100 concurrent signatures through the session pool all verify, without two on one session', async () => {
    const { source, observed } = createSource({ sessions: 4 })
    try {
      await source.login(PIN)
      const inputs = Array.from({ length: 100 }, (_, i) => Buffer.from(`<ds:SignedInfo>${i}</ds:SignedInfo>`))
      const signatures = await Promise.all(inputs.map((input, i) => source.sign(input, i % 3 === 0 ? 'sha1' : 'sha256')))
      signatures.forEach((sig, i) => expect(verifies(sig, authentication, i % 3 === 0 ? 'sha1' : 'sha256', inputs[i])).toBe(true))
      expect(observed.collisions).toBe(0)
      expect(observed.sessionsUsed.size).toBeGreaterThan(1)
      expect(observed.sessionsUsed.size).toBeLessThanOrEqual(4)
      expect(observed.maxParallel).toBeGreaterThan(1)
    } finally {
      await source.close()
    }
  })

  it('control: without the pool, concurrent signatures on one SoftHSM session do collide', async () => {
    // Shows the test above would notice: SoftHSM2 refuses a second operation on a busy session.
    const m = pkcs11jsBinding.open(token.modulePath)
    const slot = m.listSlots().find((s) => m.getTokenInfo(s).label === token.tokenLabel)!
    const session = m.openSession(slot)
    try {
      m.login(session, PIN)
      const key = m.listPrivateKeys(session).find((k) => k.label === 'Authentication')!
      // A long first signature (20 MB hashed on a libuv thread) keeps the session's operation
      // active while the next ones start, so the outcome does not depend on thread timing.
      const long = m.sign(session, key.handle, 'sha256', Buffer.alloc(20_000_000, 1))
      const results = await Promise.allSettled([long, ...Array.from({ length: 3 }, () => m.sign(session, key.handle, 'sha256', DATA))])
      expect(results[0]!.status).toBe('fulfilled')
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      expect(failures.map((f) => (f.reason as Pkcs11CallError).ckr)).toEqual(['CKR_OPERATION_ACTIVE', 'CKR_OPERATION_ACTIVE', 'CKR_OPERATION_ACTIVE'])
      m.logout(session)
    } finally {
      m.closeSession(session)
      m.release()
    }
  })

  it('logout, then sign fails with ERR_NOT_LOGGED_IN; a new login works', async () => {
    const { source } = createSource()
    try {
      await source.login(PIN)
      const pending = source.sign(DATA, 'sha256')
      await source.logout()
      // A signature asked before the logout still completes.
      expect(verifies(await pending, authentication)).toBe(true)
      expect(source.loginState()).toBe('logged-out')
      await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
      await source.login(PIN)
      expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
    } finally {
      await source.close()
    }
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    await expect(source.certificate()).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE' })
  })

  it('the Signature key is used when asked, next to an Authentication source on the same card', async () => {
    const auth = createSource()
    const sign = createSource({ keyLabel: 'signature' })
    try {
      await auth.source.login(PIN)
      await sign.source.login(PIN) // the token is already logged in for this process: CKR_USER_ALREADY_LOGGED_IN is fine
      expect((await sign.source.certificate()).base64).toBe(signature.certificateBase64)
      expect(verifies(await sign.source.sign(DATA, 'sha256'), signature)).toBe(true)
      expect(verifies(await auth.source.sign(DATA, 'sha256'), authentication)).toBe(true)
    } finally {
      await sign.source.close()
      await auth.source.close()
    }
  })

  it('chooses the token by label or serial number; an unknown one is ERR_TOKEN_ABSENT', async () => {
    const byLabel = createSource({ token: { label: token.tokenLabel } })
    const serial = await (async () => {
      const m = pkcs11jsBinding.open(token.modulePath)
      try {
        return m.listSlots().map((s) => m.getTokenInfo(s)).find((i) => i.label === token.tokenLabel)!.serialNumber
      } finally {
        m.release()
      }
    })()
    const bySerial = createSource({ token: { serialNumber: serial } })
    const unknown = createSource({ token: { label: 'NO SUCH CARD' } })
    try {
      expect((await byLabel.source.certificate()).base64).toBe(authentication.certificateBase64)
      expect((await bySerial.source.certificate()).base64).toBe(authentication.certificateBase64)
      await expect(unknown.source.certificate()).rejects.toMatchObject({ code: 'ERR_TOKEN_ABSENT', message: 'no token with label "NO SUCH CARD" is present' })
    } finally {
      await Promise.all([byLabel.source.close(), bySerial.source.close(), unknown.source.close()])
    }
  })

  it('a label the card does not have is ERR_KEY_NOT_FOUND', async () => {
    const { source } = createSource({ keyLabel: 'Encryption' })
    try {
      await expect(source.certificate()).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND', data: { labels: expect.arrayContaining(['Authentication', 'Signature']) } })
    } finally {
      await source.close()
    }
  })

  it('card removal: a clear logged-out state and ERR_TOKEN_ABSENT, not a crash; works again once reinserted', async () => {
    const { source, observed } = createSource()
    try {
      await source.login(PIN)
      observed.removed = true
      // Signatures in flight when the card goes all end in the same clear error.
      const inFlight = await Promise.allSettled(Array.from({ length: 10 }, () => source.sign(DATA, 'sha256')))
      expect(inFlight.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'signed'))).toEqual(Array(10).fill('ERR_TOKEN_ABSENT'))
      expect(source.loginState()).toBe('logged-out')
      await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_TOKEN_ABSENT' })
      await expect(source.login(PIN)).rejects.toMatchObject({ code: 'ERR_TOKEN_ABSENT' })
      observed.removed = false
      const logins = observed.logins
      await source.login(PIN)
      expect(observed.logins).toBe(logins + 1)
      expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
    } finally {
      await source.close()
    }
  })
})

describe('PKCS#11 module missing', () => {
  it('a configured module path that does not exist gives a clear AgentError, no crash', async () => {
    const source = createPkcs11KeySource({ modulePath: '/nonexistent/libbeidpkcs11.so', platform: 'linux' })
    const error = await source.login(PIN).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AgentError', code: 'ERR_KEY_SOURCE', data: { triedPaths: ['/nonexistent/libbeidpkcs11.so'] } })
    expect((error as Error).message).toMatch(/apt-get install eid-mw/)
    await expect(source.certificate()).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE' })
  })

  it('without a configured path, names every standard location tried', async () => {
    const source = createPkcs11KeySource({ platform: 'linux', exists: () => false })
    const error = await source.loginRequirement().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_KEY_SOURCE' })
    expect((error as { data: { triedPaths: string[] } }).data.triedPaths).toContain('/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0')
  })

  it('a file that is not a PKCS#11 library is refused the same way', async () => {
    const source = createPkcs11KeySource({ modulePath: '/etc/hostname' })
    await expect(source.certificate()).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE', data: { detail: 'pkcs11 module missing' } })
  })
})

describe('PKCS#11 key source with a scripted token (what SoftHSM2 cannot do)', () => {
  it('a locked PIN: no prompt (loginRequirement throws) and no C_Login', async () => {
    const identity = authentication
    const fake = createFakeToken({ identity, flags: TOKEN_FLAGS.CKF_TOKEN_INITIALIZED | TOKEN_FLAGS.CKF_LOGIN_REQUIRED | TOKEN_FLAGS.CKF_USER_PIN_LOCKED })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    await expect(source.loginRequirement()).rejects.toMatchObject({ code: 'ERR_PIN_LOCKED' })
    await expect(source.login(PIN)).rejects.toMatchObject({ code: 'ERR_PIN_LOCKED' })
    expect(fake.logins).toEqual([])
  })

  it('C_Login answering CKR_PIN_LOCKED gives ERR_PIN_LOCKED', async () => {
    const fake = createFakeToken({ identity: authentication, loginFails: 'CKR_PIN_LOCKED' })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    await expect(source.login(PIN)).rejects.toMatchObject({ code: 'ERR_PIN_LOCKED', data: { ckr: 'CKR_PIN_LOCKED' } })
    expect(fake.logins).toHaveLength(1)
    expect(source.loginState()).toBe('logged-out')
  })

  it('the last wrong PIN before locking: retriesLeft 1, then the prompt warns and a final failure reads as locked', async () => {
    const fake = createFakeToken({ identity: authentication, flagsAfterFailure: TOKEN_FLAGS.CKF_TOKEN_INITIALIZED | TOKEN_FLAGS.CKF_LOGIN_REQUIRED | TOKEN_FLAGS.CKF_USER_PIN_FINAL_TRY })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    await expect(source.login('0000')).rejects.toMatchObject({ code: 'ERR_PIN_INCORRECT', data: { retriesLeft: 1 } })
    expect(await source.loginRequirement()).toEqual({ secret: 'pin', retriesLeft: 1 })
    fake.flags = TOKEN_FLAGS.CKF_TOKEN_INITIALIZED | TOKEN_FLAGS.CKF_LOGIN_REQUIRED | TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW
    expect(await source.loginRequirement()).toEqual({ secret: 'pin', retriesLeft: 'low' })
    expect(fake.logins).toEqual(['0000'])
  })

  it('protected authentication path (pinpad): nothing to ask, C_Login gets no PIN', async () => {
    const fake = createFakeToken({
      identity: authentication,
      flags: TOKEN_FLAGS.CKF_TOKEN_INITIALIZED | TOKEN_FLAGS.CKF_LOGIN_REQUIRED | TOKEN_FLAGS.CKF_PROTECTED_AUTHENTICATION_PATH,
    })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    expect(await source.loginRequirement()).toEqual({ secret: 'none' })
    expect(source.protectedAuthenticationPath).toBe(true)
    await source.login('should-not-be-sent')
    expect(fake.logins).toEqual([undefined])
    expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
  })

  it('the user cancels the pinpad or middleware dialog: ERR_USER_CANCELLED', async () => {
    const fake = createFakeToken({ identity: authentication, loginFails: 'CKR_FUNCTION_CANCELED', flags: TOKEN_FLAGS.CKF_TOKEN_INITIALIZED | TOKEN_FLAGS.CKF_LOGIN_REQUIRED | TOKEN_FLAGS.CKF_PROTECTED_AUTHENTICATION_PATH })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    await expect(source.login(undefined)).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(fake.logins).toEqual([undefined])
  })

  it('the token forgets the login (another program logged out): ERR_NOT_LOGGED_IN, the source locked, a new login works', async () => {
    const fake = createFakeToken({ identity: authentication })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    await source.login(PIN)
    expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
    fake.binding.open('fake').logout(Buffer.alloc(1)) // the card's login state is per application, shared by all its sessions
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN', data: { ckr: 'CKR_USER_NOT_LOGGED_IN' } })
    expect(source.loginState()).toBe('logged-out')
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN', message: 'the token is not logged in' })
    await source.login(PIN)
    expect(fake.logins).toEqual([PIN, PIN])
    expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
    await source.close()
  })

  it('after close: logged out, signing and reading refused, close again is fine, the label still names the card', async () => {
    const fake = createFakeToken({ identity: authentication })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    await source.login(PIN)
    await source.close()
    expect(source.loginState()).toBe('logged-out')
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    await expect(source.login(PIN)).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE', data: { detail: 'closed' } })
    await expect(source.loginRequirement()).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE', data: { detail: 'closed' } })
    await source.close()
    expect(source.label).toBe('PKCS#11 token BELPIC')
    expect(fake.logins).toEqual([PIN])
  })

  it('concurrent logins: one C_Login, the others find the token logged in', async () => {
    const fake = createFakeToken({ identity: authentication })
    const source = createPkcs11KeySource({ modulePath: 'fake', binding: fake.binding })
    await Promise.all(Array.from({ length: 10 }, () => source.login(PIN)))
    expect(fake.logins).toEqual([PIN])
  })
})

describe('pkcs11js', () => {
  it('is loaded by load-pkcs11js.ts only (lazily, so an installation without it still runs)', () => {
    const root = join(import.meta.dirname, '..', '..')
    const offenders: string[] = []
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else if (/\.(m|c)?[jt]sx?$/.test(name) && !/\.test\.[jt]s$/.test(name)) {
          if (/['"]pkcs11js['"]/.test(readFileSync(path, 'utf8'))) offenders.push(relative(root, path))
        }
      }
    }
    for (const top of ['agent', 'protocol', 'clients', 'installer', 'test', 'bin']) {
      try {
        walk(join(root, top))
      } catch {
        // a top-level folder not created yet
      }
    }
    expect(offenders).toEqual(['agent/keys/load-pkcs11js.ts'])
  })
})
