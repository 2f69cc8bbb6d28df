import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type * as Pkcs11js from 'pkcs11js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxStsExchange } from '../../test/helpers/sandbox-sts-exchange.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { ScriptedPrompter } from '../consent/scripted-prompter.js'
import type { Pkcs11Binding, Pkcs11Module } from '../keys/pkcs11-binding.js'
import { createPkcs11KeySource, pkcs11jsBinding } from '../keys/pkcs11-key-source.js'
import { provisionEidToken, SANDBOX_EID_PIN, type ProvisionedToken } from '../sandbox/softhsm.js'
import { startSandbox, type RunningSandbox } from '../sandbox/server.js'
import { identityFromCertificate } from './identity-from-certificate.js'
import { Session } from './session.js'

// The same as session-locks-keys.test.ts, with SoftHSM2 standing in for the eID card: after a
// sign-in the STS fails, C_Logout is really called, and the token itself (asked through pkcs11js
// directly, not through the agent's key source) no longer holds a login.

let sandbox: RunningSandbox
let clock: FakeClock
let token: ProvisionedToken
let stateDir: string

beforeAll(async () => {
  requireTool('softhsm2-util', 'softhsm2')
  const pki = await sharedSandboxPki()
  clock = new FakeClock(Date.now())
  sandbox = await startSandbox({ stateDir: dirname(pki.dir), clock: () => clock.now() })
  stateDir = mkdtempSync(join(tmpdir(), 'session-locks-softhsm-'))
  const eid = pki.eid.doctor
  token = await provisionEidToken({
    stateDir,
    pin: SANDBOX_EID_PIN,
    authentication: { privateKeyPem: eid.authentication.privateKeyPem, certificatePem: eid.authentication.certificatePem },
    signature: { privateKeyPem: eid.signature.privateKeyPem, certificatePem: eid.signature.certificatePem },
  })
  process.env.SOFTHSM2_CONF = token.softhsmConf // pkcs11js loads SoftHSM in this process
}, 120_000)

afterAll(async () => {
  await sandbox?.close()
  if (stateDir) rmSync(stateDir, { recursive: true, force: true })
})

/** The real pkcs11js binding, counting C_Login and C_Logout. */
function countingBinding(): { binding: Pkcs11Binding; calls: { login: number; logout: number } } {
  const calls = { login: 0, logout: 0 }
  const binding: Pkcs11Binding = {
    open(modulePath) {
      const m = pkcs11jsBinding.open(modulePath)
      const wrapped: Pkcs11Module = {
        ...m,
        login: (session, pin) => {
          calls.login++
          return m.login(session, pin)
        },
        logout: (session) => {
          calls.logout++
          return m.logout(session)
        },
      }
      return wrapped
    },
  }
  return { binding, calls }
}

/** Session states, PKCS#11 v2.40 §5.6 (pkcs11t.h); pkcs11js does not export them. */
const CKS_RO_PUBLIC_SESSION = 0
const CKS_RO_USER_FUNCTIONS = 1

/**
 * What the token says about this application's login (PKCS#11 v2.40 §5.6: the login state is
 * shared by every session of an application): CKS_RO_USER_FUNCTIONS when the PIN is verified,
 * CKS_RO_PUBLIC_SESSION when not. Read on a session of its own, through pkcs11js directly.
 */
function tokenLoginState(): 'user' | 'public' | number {
  const p = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js
  const lib = new p.PKCS11()
  lib.load(token.modulePath)
  try {
    lib.C_Initialize()
  } catch (error) {
    if (!/CKR_CRYPTOKI_ALREADY_INITIALIZED/.test((error as Error).message)) throw error
  }
  const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === token.tokenLabel)
  if (!slot) throw new Error(`no SoftHSM token labelled ${token.tokenLabel}`)
  const session = lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION)
  try {
    const { state } = lib.C_GetSessionInfo(session)
    if (state === CKS_RO_USER_FUNCTIONS) return 'user'
    if (state === CKS_RO_PUBLIC_SESSION) return 'public'
    return state
  } finally {
    lib.C_CloseSession(session)
  }
}

describe('a failed sign-in with the eID (SoftHSM2): C_Logout is called, the token holds no login', () => {
  it('STS 503, then logout, then login: two PIN prompts; the token is logged out after the failure', async () => {
    const { binding, calls } = countingBinding()
    const card = createPkcs11KeySource({ modulePath: token.modulePath, token: { label: token.tokenLabel }, binding })
    const prompter = new ScriptedPrompter({ secret: SANDBOX_EID_PIN })
    const session = new Session({
      exchange: sandboxStsExchange(sandbox, () => clock.now(), { idPrefix: 'hsm' }),
      clock,
      prompter,
      environment: 'Sandbox',
      lifetimeMs: 3600_000,
      random: () => 0.5,
      keySources: () => [card],
    })
    const login = () =>
      session.login({
        profile: { id: 'doctor', label: 'Doctor' },
        keys: { identification: card, holderOfKey: card },
        client: { client: 'MediSoft' },
        claimsFor: (id) => claimsForProfile('doctor', identityFromCertificate(id.certificate)),
      })
    try {
      sandbox.state.faults.add('/IAM/SecurityTokenService/v1', { kind: 'http', status: 503 }, Infinity)
      await expect(login()).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
      sandbox.state.faults.clear()
      expect(calls).toEqual({ login: 1, logout: 1 })
      expect(card.loginState()).toBe('logged-out')
      expect(tokenLoginState()).toBe('public')

      await session.logout()
      await login()
      expect(prompter.prompts).toHaveLength(2)
      expect(calls.login).toBe(2)
      // Control: while signed in, the token does hold the login, so the check above can fail.
      expect(tokenLoginState()).toBe('user')

      await session.logout()
      expect(calls.logout).toBe(2)
      expect(tokenLoginState()).toBe('public')
    } finally {
      sandbox.state.faults.clear()
      await card.close()
    }
  })
})
