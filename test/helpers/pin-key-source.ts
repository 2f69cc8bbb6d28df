import { sign, X509Certificate, type KeyObject } from 'node:crypto'
import { AgentError } from '../../protocol/errors.js'
import type { HashName } from '../../protocol/xml/algorithms.js'
import type { CertificateInfo, KeySource, LoginRequirement, LoginState, PinRetries } from '../../agent/keys/key-source.js'

/**
 * A key source that behaves like an eID card behind PKCS#11, over a key in memory: it wants a
 * PIN, counts wrong tries, and reports what a card reports (PKCS#11 gives flags, not a count:
 * CKF_USER_PIN_COUNT_LOW after a failure → 'low', CKF_USER_PIN_FINAL_TRY → 1), then locks.
 * `pinpad`: a reader with its own keypad, so the agent only asks for a confirmation.
 */
export class PinKeySource implements KeySource {
  readonly kind = 'pkcs11' as const
  readonly label: string
  readonly protectedAuthenticationPath: boolean
  logins = 0
  private state: LoginState = 'logged-out'
  private triesLeft: number
  private readonly key: KeyObject
  private readonly info: CertificateInfo
  private readonly pin: string

  constructor(key: KeyObject, certificatePem: string, options: { pin: string; tries?: number; label?: string; pinpad?: boolean }) {
    this.key = key
    const certificate = new X509Certificate(certificatePem)
    this.info = { certificate, base64: certificate.raw.toString('base64') }
    this.pin = options.pin
    this.triesLeft = options.tries ?? 3
    this.label = options.label ?? 'eID card (test)'
    this.protectedAuthenticationPath = options.pinpad ?? false
  }

  async loginRequirement(): Promise<LoginRequirement> {
    if (this.triesLeft <= 0) throw new AgentError('ERR_PIN_LOCKED')
    if (this.protectedAuthenticationPath) return { secret: 'none' }
    const retriesLeft = this.retries()
    return retriesLeft === undefined ? { secret: 'pin' } : { secret: 'pin', retriesLeft }
  }
  async certificate(): Promise<CertificateInfo> {
    return this.info
  }
  async sign(data: Uint8Array, hash: HashName): Promise<Uint8Array> {
    if (this.state !== 'logged-in') throw new AgentError('ERR_NOT_LOGGED_IN')
    return new Promise((resolve, reject) => sign(hash, data, this.key, (err, sig) => (err ? reject(err) : resolve(sig))))
  }
  loginState(): LoginState {
    return this.state
  }
  async login(secret: string | undefined): Promise<void> {
    this.logins++
    // A pinpad reader takes the PIN itself: the test's "user" typed the right one there.
    if (this.protectedAuthenticationPath ? false : secret !== this.pin) {
      this.triesLeft--
      if (this.triesLeft <= 0) throw new AgentError('ERR_PIN_LOCKED', 'the PIN was incorrect and is now locked', { retriesLeft: 0 })
      const retriesLeft = this.retries()
      throw new AgentError('ERR_PIN_INCORRECT', undefined, retriesLeft === undefined ? {} : { retriesLeft })
    }
    this.state = 'logged-in'
  }
  async logout(): Promise<void> {
    this.state = 'logged-out'
  }
  async close(): Promise<void> {
    this.state = 'logged-out'
  }

  private retries(): PinRetries | undefined {
    if (this.triesLeft === 1) return 1
    return this.triesLeft < 3 ? 'low' : undefined
  }
}
