import type { HashName } from '../../protocol/xml/algorithms.js'
import type { CertificateInfo, KeySource, KeySourceKind, LoginRequirement, LoginState } from '../keys/key-source.js'
import type { LoginOutcome } from './web-prompter.js'

/**
 * The same key source, telling `listener` how each `login` ended. The session hands the PIN the
 * user typed on a page straight to `login`; this is how that page learns whether the PIN was
 * right (and how many tries are left) without the session or the key source knowing about pages.
 * The secret itself is passed through untouched and never seen by the listener.
 */
export function watchKeyLogin(source: KeySource, listener: (keySource: string, outcome: LoginOutcome) => void): KeySource {
  return new WatchedKeySource(source, listener)
}

class WatchedKeySource implements KeySource {
  private readonly inner: KeySource
  private readonly listener: (keySource: string, outcome: LoginOutcome) => void

  constructor(inner: KeySource, listener: (keySource: string, outcome: LoginOutcome) => void) {
    this.inner = inner
    this.listener = listener
  }

  get kind(): KeySourceKind {
    return this.inner.kind
  }
  get label(): string {
    return this.inner.label
  }
  get protectedAuthenticationPath(): boolean {
    return this.inner.protectedAuthenticationPath
  }
  loginRequirement(): Promise<LoginRequirement> {
    return this.inner.loginRequirement()
  }
  certificate(): Promise<CertificateInfo> {
    return this.inner.certificate()
  }
  sign(data: Uint8Array, hash: HashName): Promise<Uint8Array> {
    return this.inner.sign(data, hash)
  }
  loginState(): LoginState {
    return this.inner.loginState()
  }
  async login(secret: string | undefined): Promise<void> {
    // The label the prompt showed: read before login, which may make a PKCS#11 label more precise.
    const label = this.inner.label
    try {
      await this.inner.login(secret)
    } catch (error) {
      this.tell(label, { ok: false, error })
      throw error
    }
    this.tell(label, { ok: true })
  }
  logout(): Promise<void> {
    return this.inner.logout()
  }
  close(): Promise<void> {
    return this.inner.close()
  }

  private tell(label: string, outcome: LoginOutcome): void {
    try {
      this.listener(label, outcome)
    } catch {
      // The page not learning the outcome must not change the outcome.
    }
  }
}
