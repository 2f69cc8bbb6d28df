import { AgentError } from '../../protocol/errors.js'
import type { LoginKeys } from '../session/request-token.js'
import type { KeySource } from './key-source.js'

/** How the user signs in (TC `SessionManagerImpl`'s session modes). */
export const LOGIN_METHODS = ['keystore', 'eid+keystore', 'eid'] as const
export type LoginMethod = (typeof LOGIN_METHODS)[number]

/**
 * The key sources this agent was configured with, and which plays which role per login method:
 * `keystore` — the eHealth keystore identifies and is the HOK key (TC's fallback session);
 * `eid+keystore` — the eID identifies, the keystore is the HOK key (the SignChallenge path);
 * `eid` — the eID card for both.
 */
export class KeyRing {
  readonly keystore: KeySource | undefined
  readonly eid: KeySource | undefined

  constructor(sources: { keystore?: KeySource; eid?: KeySource }) {
    this.keystore = sources.keystore
    this.eid = sources.eid
  }

  /** The default method: the keystore alone when there is one, else the eID. */
  defaultMethod(): LoginMethod {
    return this.keystore ? 'keystore' : 'eid'
  }

  loginKeys(method: LoginMethod): LoginKeys {
    if (!this.keystore && !this.eid) {
      // A fresh installation for acceptance or production: nothing to sign in with yet. Say what
      // to configure rather than which one of two missing things this method would have used.
      throw new AgentError('ERR_CONFIG_INVALID', 'no eHealth keystore and no eID card reader are configured: there is nothing to sign in with', {
        detail:
          'set login.keystore in the settings to your eHealth keystore (the .p12 file of your eHealth certificate, alias "authentication"), ' +
          'or install the eID middleware and set login.method to "eid" (or "eid+keystore"); then run `ehagent doctor`',
      })
    }
    const need = (source: KeySource | undefined, what: string): KeySource => {
      if (!source) {
        throw new AgentError('ERR_CONFIG_INVALID', `signing in with "${method}" needs ${what}, and none is configured`, {
          detail: `configure ${what} in the agent settings`,
        })
      }
      return source
    }
    switch (method) {
      case 'keystore': {
        const k = need(this.keystore, 'an eHealth keystore')
        return { identification: k, holderOfKey: k }
      }
      case 'eid+keystore':
        return { identification: need(this.eid, 'an eID card reader'), holderOfKey: need(this.keystore, 'an eHealth keystore') }
      case 'eid': {
        const k = need(this.eid, 'an eID card reader')
        return { identification: k, holderOfKey: k }
      }
    }
  }

  async list(): Promise<{ role: 'identification' | 'holder-of-key'; kind: string; label: string; subject?: string; loginState: string }[]> {
    const out = []
    for (const [role, source] of [
      ['holder-of-key', this.keystore],
      ['identification', this.eid],
    ] as const) {
      if (!source) continue
      let subject: string | undefined
      try {
        subject = (await source.certificate()).certificate.subject.replace(/\n/g, ', ')
      } catch {
        subject = undefined // a keystore shows its certificate only once unlocked
      }
      out.push({ role, kind: source.kind, label: source.label, ...(subject ? { subject } : {}), loginState: source.loginState() })
    }
    return out
  }

  async close(): Promise<void> {
    await Promise.all([this.keystore?.close(), this.eid?.close()])
  }
}
