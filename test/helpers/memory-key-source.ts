import { sign, X509Certificate, type KeyObject } from 'node:crypto'
import { AgentError } from '../../protocol/errors.js'
import type { HashName } from '../../protocol/xml/algorithms.js'
import type { CertificateInfo, KeySource, LoginRequirement, LoginState } from '../../agent/keys/key-source.js'

/**
 * A KeySource over a key already in memory, for tests that exercise the session and the sandbox
 * without a keystore file or a token. Counts logins and signatures; `password` simulates a
 * keystore password (undefined: no secret needed). Counts closes too (the agent closes its key
 * sources when it stops, or when its start fails).
 */
export class MemoryKeySource implements KeySource {
  readonly kind = 'pkcs12' as const
  readonly protectedAuthenticationPath = false
  readonly label: string
  logins = 0
  signatures = 0
  closes = 0
  private state: LoginState = 'logged-out'
  private readonly key: KeyObject
  private readonly info: CertificateInfo
  private readonly password: string | undefined

  constructor(key: KeyObject, certificatePem: string, options: { label?: string; password?: string } = {}) {
    this.key = key
    const certificate = new X509Certificate(certificatePem)
    this.info = { certificate, base64: certificate.raw.toString('base64') }
    this.label = options.label ?? 'test key'
    this.password = options.password
  }

  async loginRequirement(): Promise<LoginRequirement> {
    return this.password === undefined ? { secret: 'none' } : { secret: 'password' }
  }
  async certificate(): Promise<CertificateInfo> {
    return this.info
  }
  async sign(data: Uint8Array, hash: HashName): Promise<Uint8Array> {
    if (this.state !== 'logged-in') throw new AgentError('ERR_NOT_LOGGED_IN')
    this.signatures++
    return new Promise((resolve, reject) => sign(hash, data, this.key, (err, sig) => (err ? reject(err) : resolve(sig))))
  }
  loginState(): LoginState {
    return this.state
  }
  async login(secret: string | undefined): Promise<void> {
    this.logins++
    if (this.password !== undefined && secret !== this.password) throw new AgentError('ERR_PASSWORD_INCORRECT')
    this.state = 'logged-in'
  }
  async logout(): Promise<void> {
    this.state = 'logged-out'
  }
  async close(): Promise<void> {
    this.closes++
    this.state = 'logged-out'
  }
}
