import { sign } from 'node:crypto'
import { KEY_TYPES, Pkcs11CallError, TOKEN_FLAGS, type Pkcs11Binding, type Pkcs11Module, type Pkcs11TokenInfo } from '../../agent/keys/pkcs11-binding.js'
import type { TestIdentity } from './test-pki.js'

/**
 * A scripted PKCS#11 token for what SoftHSM2 cannot do: a locked PIN, a pinpad (protected
 * authentication path), a cancelled PIN dialog, PIN counters. One slot, one `Authentication`
 * certificate and key (CKA_ID 02), signing done by node:crypto with the test key.
 */

export interface FakeTokenOptions {
  identity: TestIdentity
  /** CK_TOKEN_INFO.flags; default initialised, login required, user PIN initialised. */
  flags?: number
  pin?: string
  /** Throw this CKR from C_Login whatever the PIN (e.g. CKR_PIN_LOCKED, CKR_FUNCTION_CANCELED). */
  loginFails?: string
  /** Flags to set after a failed C_Login (e.g. CKF_USER_PIN_FINAL_TRY). */
  flagsAfterFailure?: number
  /**
   * A PIN counter as a card keeps one: this many wrong PINs lock it. The flags follow it as
   * PKCS#11 v2.40 §3.2 describes: CKF_USER_PIN_COUNT_LOW after a wrong PIN, CKF_USER_PIN_FINAL_TRY
   * at one try left, CKF_USER_PIN_LOCKED at none (then C_Login returns CKR_PIN_LOCKED); the right
   * PIN resets the counter and clears them.
   */
  tries?: number
}

export interface FakeToken {
  binding: Pkcs11Binding
  /** Every C_Login call, with the PIN argument as given (undefined = NULL_PTR). */
  logins: (string | undefined)[]
  /** How many times C_Logout was called. */
  logouts: number
  /** Whether the token holds a login now (what the card would say: PIN verified or not). */
  readonly loggedIn: boolean
  flags: number
}

const BASE_FLAGS = TOKEN_FLAGS.CKF_TOKEN_INITIALIZED | TOKEN_FLAGS.CKF_LOGIN_REQUIRED | TOKEN_FLAGS.CKF_USER_PIN_INITIALIZED

export function createFakeToken(options: FakeTokenOptions): FakeToken {
  const slot = Buffer.from([1])
  const keyHandle = Buffer.from([0x10])
  let nextSession = 100
  let loggedIn = false
  let triesLeft = options.tries
  const PIN_FLAGS = TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW | TOKEN_FLAGS.CKF_USER_PIN_FINAL_TRY | TOKEN_FLAGS.CKF_USER_PIN_LOCKED
  const state: FakeToken = {
    binding: { open: () => module },
    logins: [],
    logouts: 0,
    get loggedIn() {
      return loggedIn
    },
    flags: options.flags ?? BASE_FLAGS,
  }

  const info = (): Pkcs11TokenInfo => ({ label: 'BELPIC', serialNumber: '534C494E336600296CFF2623660B0826', manufacturerId: 'Fake', model: 'Belgium eID', flags: state.flags, minPinLen: 4, maxPinLen: 12 })

  const module: Pkcs11Module = {
    listSlots: () => [slot],
    getTokenInfo: () => info(),
    openSession: () => Buffer.from([nextSession++]),
    closeSession: () => undefined,
    login: (_session, pin) => {
      state.logins.push(pin)
      if (triesLeft !== undefined && triesLeft <= 0) throw new Pkcs11CallError('CKR_PIN_LOCKED', 'C_Login')
      const failure = options.loginFails ?? (pin !== undefined && pin !== (options.pin ?? '1234') ? 'CKR_PIN_INCORRECT' : undefined)
      if (failure) {
        if (options.flagsAfterFailure !== undefined) state.flags = options.flagsAfterFailure
        if (triesLeft !== undefined && failure === 'CKR_PIN_INCORRECT') {
          triesLeft--
          const counter = triesLeft <= 0 ? TOKEN_FLAGS.CKF_USER_PIN_LOCKED : triesLeft === 1 ? TOKEN_FLAGS.CKF_USER_PIN_FINAL_TRY : TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW
          state.flags = (state.flags & ~PIN_FLAGS) | counter
        }
        throw new Pkcs11CallError(failure, 'C_Login')
      }
      if (triesLeft !== undefined) {
        triesLeft = options.tries
        state.flags &= ~PIN_FLAGS
      }
      loggedIn = true
    },
    logout: () => {
      state.logouts++
      loggedIn = false
    },
    listCertificates: () => [{ handle: Buffer.from([0x20]), label: 'Authentication', id: Buffer.from([2]), value: options.identity.certificate.raw }],
    listPrivateKeys: () => (loggedIn ? [{ handle: keyHandle, label: 'Authentication', id: Buffer.from([2]), keyType: KEY_TYPES.CKK_RSA }] : []),
    sign: async (_session, key, hash, data) => {
      if (!loggedIn) throw new Pkcs11CallError('CKR_USER_NOT_LOGGED_IN', 'C_SignInit')
      if (!key.equals(keyHandle)) throw new Pkcs11CallError('CKR_KEY_HANDLE_INVALID', 'C_SignInit')
      return sign(hash, data, options.identity.privateKey)
    },
    release: () => undefined,
  }
  return state
}
