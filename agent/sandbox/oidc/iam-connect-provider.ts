import { createHash, randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import type { PersonId } from '../directory-data.js'
import type { ProfileChoice } from '../directory.js'
import { SessionStore } from '../idp/session-store.js'
import type { SandboxState } from '../sandbox-state.js'
import { loadOrCreateSigningKey, type OidcSigningKey } from './signing-key.js'

/**
 * The ways to authenticate that I.AM IDP v1.0, use case ATH-UC-11-BF (step 7) lists: itsme, the
 * eID, a TOTP code. All simulated.
 */
export const AUTH_METHODS = ['itsme', 'eid', 'totp'] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]

/** Lifetimes of the provider; resolved once. */
export interface IamConnectOptions {
  /** Access and ID tokens; default 5 minutes (Keycloak's default access token lifespan). */
  accessTokenTtlMs: number
  /** Authorization codes; default 60 s (RFC 6749 §4.1.2: "a maximum lifetime of 10 minutes is RECOMMENDED"; shorter is better). */
  codeTtlMs: number
  /** An authorization request in progress (login, profile, consent pages); default 10 minutes. */
  pendingTtlMs: number
  /** The SSO session, and with it every refresh token of that session; default 10 hours. */
  ssoSessionMaxMs: number
  /** The SAML token the exchange issues; default 1 hour, never past the SSO session or the HOK certificate. */
  exchangedTokenTtlMs: number
  /** Oldest and furthest-future `iat` of a holder-of-key proof, and its longest lifetime; default 60 s. */
  proofMaxAgeMs: number
}

export const DEFAULT_IAM_CONNECT_OPTIONS = {
  accessTokenTtlMs: 5 * 60_000,
  codeTtlMs: 60_000,
  pendingTtlMs: 10 * 60_000,
  ssoSessionMaxMs: 10 * 3600_000,
  exchangedTokenTtlMs: 3600_000,
  proofMaxAgeMs: 60_000,
} as const satisfies IamConnectOptions

/** What a client asked for at the authorization endpoint, once checked. */
export interface AuthorizationRequest {
  clientId: string
  redirectUri: string
  state: string | undefined
  nonce: string
  codeChallenge: string
  scope: string
  /** The profile the client would like (`profile_hint`, modelled); the user still chooses. */
  profileHint: string | undefined
  /** `prompt=login`: authenticate again even with an SSO session. */
  forceLogin: boolean
}

/** An authorization request waiting on its pages, bound to the browser that started it. */
export interface PendingAuthorization {
  id: string
  browserId: string
  request: AuthorizationRequest
  /** Set once the user authenticated within this request (so `prompt=login` is satisfied). */
  authenticated: boolean
  expiresAt: number
}

/**
 * The user's session at the provider (I.AM IDP v1.0, use case ATH-UC-11-BF): who, how, and, once
 * chosen, the profile. The profile belongs to the session: changing it takes a global logout and a
 * new sign-in.
 */
export interface SsoSession {
  sid: string
  browserId: string
  personId: PersonId
  ssin: string
  subject: string
  method: AuthMethod
  authTime: number
  expiresAt: number
  choice: ProfileChoice | undefined
}

export interface CodeGrant {
  clientId: string
  redirectUri: string
  codeChallenge: string
  nonce: string
  sid: string
  scope: string
  expiresAt: number
  used: boolean
  /** Tokens issued for this code, revoked if the code is presented again (RFC 6749 §4.1.2). */
  issued: { refresh: string[]; access: string[] }
}

export interface RefreshGrant {
  clientId: string
  sid: string
  scope: string
  expiresAt: number
  /** Rotated away: presenting it again is a replay (RFC 9700 §4.14.2). */
  used: boolean
}

export interface AccessGrant {
  clientId: string
  sid: string
  expiresAt: number
}

/** A global logout the provider performed: what the tests and the demo look at. */
export interface LogoutRecord {
  at: Date
  sid: string
  subject: string
  clientId: string | undefined
  reason: 'end-session' | 'refresh-token-replay' | 'test'
}

/** One token-endpoint answer, for tests that count requests. */
export interface GrantRecord {
  at: Date
  grantType: string
  /** `ok`, or the OAuth error code returned. */
  outcome: string
  description?: string
}

const MAX_ENTRIES = 10_000

/**
 * The sandbox IAM Connect's memory for one mounted sandbox: browser sessions (the IDP's cookie
 * store), authorization requests in progress, SSO sessions, codes, refresh and access tokens,
 * consents (IAM eXchange Annex A §1.4), spent proof ids, and what happened (logouts, grants).
 * Nothing is persisted but the signing key: a restarted sandbox forgets sessions and consents.
 */
export class IamConnectProvider {
  readonly state: SandboxState
  readonly key: OidcSigningKey
  readonly options: IamConnectOptions
  readonly browsers: SessionStore
  readonly pending = new Map<string, PendingAuthorization>()
  readonly sessions = new Map<string, SsoSession>()
  readonly sessionOfBrowser = new Map<string, string>()
  readonly codes = new Map<string, CodeGrant>()
  readonly refreshTokens = new Map<string, RefreshGrant>()
  readonly accessTokens = new Map<string, AccessGrant>()
  /** `<ssin> <clientId>`: the user consented to that client (IAM eXchange Annex A §1.4, first use). */
  readonly consents = new Set<string>()
  /** `jti` of holder-of-key proofs seen, until they could no longer be accepted anyway. */
  readonly proofIds = new Map<string, number>()
  readonly logouts: LogoutRecord[] = []
  readonly grants: GrantRecord[] = []

  constructor(state: SandboxState, options: Partial<IamConnectOptions> = {}) {
    this.state = state
    this.options = { ...DEFAULT_IAM_CONNECT_OPTIONS, ...options }
    // Beside the PKI in the sandbox state directory (the PKI lives in `<stateDir>/pki`).
    this.key = loadOrCreateSigningKey(join(dirname(state.pki.dir), 'oidc'))
    this.browsers = new SessionStore({ now: () => this.now(), idleMs: 30 * 60_000 })
  }

  /** The sandbox clock (tests share a fake one with the agent). */
  now(): number {
    return this.state.now().getTime()
  }

  newSecret(): string {
    return randomBytes(32).toString('base64url')
  }

  /** The live SSO session of a browser, if any. */
  sessionOf(browserId: string): SsoSession | undefined {
    const sid = this.sessionOfBrowser.get(browserId)
    const session = sid === undefined ? undefined : this.liveSession(sid)
    if (!session) this.sessionOfBrowser.delete(browserId)
    return session
  }

  liveSession(sid: string): SsoSession | undefined {
    const session = this.sessions.get(sid)
    if (!session) return undefined
    if (session.expiresAt <= this.now()) {
      this.dropSession(sid)
      return undefined
    }
    return session
  }

  startSession(browserId: string, person: { id: PersonId; ssin: string }, method: AuthMethod): SsoSession {
    const previous = this.sessionOfBrowser.get(browserId)
    if (previous !== undefined) this.dropSession(previous)
    const now = this.now()
    const session: SsoSession = {
      sid: this.newSecret(),
      browserId,
      personId: person.id,
      ssin: person.ssin,
      subject: subjectOf(person.ssin),
      method,
      authTime: now,
      expiresAt: now + this.options.ssoSessionMaxMs,
      choice: undefined,
    }
    this.put(this.sessions, session.sid, session)
    this.sessionOfBrowser.set(browserId, session.sid)
    return session
  }

  /** Global logout (I.AM IDP v1.0): the session and every token issued in it end now. */
  endSession(sid: string, reason: LogoutRecord['reason'], clientId?: string): LogoutRecord | undefined {
    const session = this.sessions.get(sid)
    if (!session) return undefined
    this.dropSession(sid)
    const record: LogoutRecord = { at: this.state.now(), sid, subject: session.subject, clientId, reason }
    this.logouts.push(record)
    return record
  }

  hasConsent(ssin: string, clientId: string): boolean {
    return this.consents.has(`${ssin} ${clientId}`)
  }

  recordConsent(ssin: string, clientId: string): void {
    this.consents.add(`${ssin} ${clientId}`)
  }

  /** Store in a bounded map: expired entries go first, then the oldest. */
  put<V extends { expiresAt: number }>(map: Map<string, V>, key: string, value: V): void {
    const now = this.now()
    if (map.size >= MAX_ENTRIES) for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k)
    while (map.size >= MAX_ENTRIES) {
      const oldest = map.keys().next().value
      if (oldest === undefined) break
      map.delete(oldest)
    }
    map.set(key, value)
  }

  /** Remember a proof id until `until`; false when it was seen already (a replay). */
  spendProofId(jti: string, until: number): boolean {
    const now = this.now()
    for (const [k, exp] of this.proofIds) if (exp <= now) this.proofIds.delete(k)
    if (this.proofIds.has(jti)) return false
    if (this.proofIds.size >= MAX_ENTRIES) return false // refuse rather than forget a live id
    this.proofIds.set(jti, until)
    return true
  }

  recordGrant(grantType: string, outcome: string, description?: string): void {
    this.grants.push({ at: this.state.now(), grantType, outcome, ...(description ? { description } : {}) })
    if (this.grants.length > MAX_ENTRIES) this.grants.splice(0, this.grants.length - MAX_ENTRIES)
  }

  private dropSession(sid: string): void {
    const session = this.sessions.get(sid)
    this.sessions.delete(sid)
    if (session && this.sessionOfBrowser.get(session.browserId) === sid) this.sessionOfBrowser.delete(session.browserId)
    for (const [token, grant] of this.refreshTokens) if (grant.sid === sid) this.refreshTokens.delete(token)
    for (const [jti, grant] of this.accessTokens) if (grant.sid === sid) this.accessTokens.delete(jti)
    for (const [code, grant] of this.codes) if (grant.sid === sid) this.codes.delete(code)
  }
}

/**
 * The `sub` of a person: stable for the provider, opaque to clients (OpenID Connect Core §2: "a
 * locally unique and never reassigned identifier"), shaped like Keycloak's UUIDs. The SSIN itself
 * travels in its own claim (modelled), so the privacy log can name the real person (IAM eXchange
 * Annex A §1.5).
 */
export function subjectOf(ssin: string): string {
  const h = createHash('sha256').update(`ehealth-agent sandbox IAM Connect subject ${ssin}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const PROVIDERS = new WeakMap<SandboxState, IamConnectProvider>()

/** The IAM Connect provider mounted on a sandbox, for tests and the demo (what it recorded). */
export function iamConnectProviderOf(state: SandboxState): IamConnectProvider | undefined {
  return PROVIDERS.get(state)
}

export function registerProvider(provider: IamConnectProvider): void {
  PROVIDERS.set(provider.state, provider)
}
