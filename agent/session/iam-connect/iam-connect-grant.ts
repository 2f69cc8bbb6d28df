import type { Clock } from '../../clock.js'
import type { KeySource } from '../../keys/key-source.js'
import type { DelegatedGrant, RealIdentity } from '../session.js'
import { endProviderSession } from './end-provider-session.js'
import { exchangeForSaml } from './exchange-for-saml.js'
import { IamConnectError } from './iam-connect-error.js'
import type { HttpFetch, ProviderMetadata } from './provider-metadata.js'
import { refreshTokens } from './token-request.js'

/** What an IAM Connect grant needs; every side effect injected. */
export interface IamConnectGrantOptions {
  http: HttpFetch
  metadata: ProviderMetadata
  clientId: string
  holderOfKey: KeySource
  clock: Clock
  /** Fresh unique ids for the exchange proofs. */
  newId: () => string
  accessToken: string
  refreshToken: string | undefined
  idToken: string
  realIdentity: RealIdentity
}

interface HeldTokens {
  access: string
  refresh: string | undefined
  id: string
}

/**
 * The agent's hold on an IAM Connect sign-in: access, refresh and ID tokens, in this object's
 * memory only (never written anywhere, IAM eXchange Annex A §1.5; threat T7), used to obtain SAML
 * holder-of-key tokens by token exchange, to renew them (refresh, then a new exchange) and to
 * end the provider session at global logout (I.AM IDP v1.0), after which it holds nothing.
 */
export class IamConnectGrant implements DelegatedGrant {
  readonly realIdentity: RealIdentity
  private readonly opts: IamConnectGrantOptions
  private tokens: HeldTokens | undefined

  constructor(options: IamConnectGrantOptions) {
    this.opts = options
    this.realIdentity = options.realIdentity
    this.tokens = { access: options.accessToken, refresh: options.refreshToken, id: options.idToken }
  }

  /** Whether the grant still holds tokens (false after `end`). */
  get active(): boolean {
    return this.tokens !== undefined
  }

  /** A SAML assertion for the current access token (the token exchange, with a fresh proof). */
  async exchange(): Promise<string> {
    const tokens = this.held()
    return exchangeForSaml(this.opts.http, {
      tokenEndpoint: this.opts.metadata.tokenEndpoint,
      clientId: this.opts.clientId,
      accessToken: tokens.access,
      holderOfKey: this.opts.holderOfKey,
      now: this.opts.clock.now(),
      jti: this.opts.newId(),
    })
  }

  /**
   * Renewal: a fresh access token from the refresh token (rotated when the provider rotates it),
   * then a new exchange. A refused refresh means the provider session is over: `signed-out`
   * (ERR_NOT_LOGGED_IN), and the Session ends its own (IAM eXchange Annex A §1.4).
   */
  async renew(): Promise<string> {
    const tokens = this.held()
    if (!tokens.refresh) throw new IamConnectError('signed-out', 'IAM Connect gave no refresh token; sign in again')
    const fresh = await refreshTokens(this.opts.http, { tokenEndpoint: this.opts.metadata.tokenEndpoint, clientId: this.opts.clientId, refreshToken: tokens.refresh })
    if (this.tokens !== tokens) throw new IamConnectError('signed-out', 'signed out during renewal')
    this.tokens = { access: fresh.accessToken, refresh: fresh.refreshToken ?? tokens.refresh, id: tokens.id }
    return this.exchange()
  }

  /** Drop the tokens, then end the session at the provider (end-session endpoint). Idempotent. */
  async end(): Promise<void> {
    const tokens = this.tokens
    this.tokens = undefined
    const endpoint = this.opts.metadata.endSessionEndpoint
    if (!tokens || !endpoint) return
    await endProviderSession(this.opts.http, { endSessionEndpoint: endpoint, idToken: tokens.id, clientId: this.opts.clientId })
  }

  private held(): HeldTokens {
    if (!this.tokens) throw new IamConnectError('signed-out', 'the IAM Connect session has ended; sign in again')
    return this.tokens
  }
}
