import { AgentError, isAgentError } from '../../protocol/errors.js'
import { checkAssertion } from '../../protocol/saml/check-assertion.js'
import type { SamlAssertion } from '../../protocol/saml/parse-assertion.js'
import type { StsClaims } from '../../protocol/sts/claims.js'
import type { Clock } from '../clock.js'
import type { AskOptions, PromptContext, Prompter, SecretRefusal } from '../consent/prompter.js'
import type { CertificateInfo, KeySource } from '../keys/key-source.js'
import { SharedRuns } from '../shared-runs.js'
import { DEFAULT_RENEWAL_POLICY, planRenewal, planRenewalRetry, type RenewalPolicy } from './renewal-plan.js'
import { issueToken, renewToken, trustOf, type LoginKeys, type StsExchange } from './request-token.js'

const NO_CLAIMS = (): StsClaims => ({ attributes: [], designators: [] })

/** The token in use, with what it was obtained for. Held in memory only. */
export interface ActiveToken {
  assertion: SamlAssertion
  profile: { id: string; label: string }
  keys: LoginKeys
  renewAt: Date
  /**
   * How the token was obtained: from the STS, or imported from the IDP (I.AM fat-client SSO spec
   * v1.0). A token from IAM Connect's token exchange counts as 'sts' (issued for our key,
   * renewable); `grant` tells it apart.
   */
  origin: 'sts' | 'imported'
  /**
   * Set when the token was obtained through a delegated grant (IAM Connect, IAM eXchange Annex A):
   * it renews and ends through it.
   */
  grant?: DelegatedGrant
  /**
   * The person behind a delegated token (IAM eXchange Annex A §1.5: "a privacy log containing the
   * real identity of the caller every time the SAML HOK token is used"). Same as
   * `grant.realIdentity`.
   */
  realIdentity?: RealIdentity
}

/** Who signed in at the identity provider, from its validated ID token. */
export interface RealIdentity {
  /** The provider's issuer URL. */
  issuer: string
  /** The ID token's `sub`. */
  subject: string
  /** The ID token's `name`, when given. */
  name?: string
  /** The national number, when the provider gives it. */
  ssin?: string
}

/**
 * A token source outside this session's STS exchange: IAM Connect's refresh token and token
 * exchange (IAM eXchange Annex A §1.5). It holds its own credentials (in memory) and ends with a
 * global logout.
 */
export interface DelegatedGrant {
  readonly realIdentity: RealIdentity
  /** A fresh SAML assertion (XML) for the same profile and HOK key; ERR_NOT_LOGGED_IN once the provider session is over. */
  renew(): Promise<string>
  /** Global logout at the provider (eHealth I.AM IDP v1.0) and drop what the grant holds. */
  end(): Promise<void>
}

/** A sign-in whose token comes from a delegated grant, once the HOK key is unlocked. */
export interface DelegatedLoginRequest {
  /** For the unlock prompt; the token's profile is the one `obtain` reports (the user chose it at the provider). */
  profile: { id: string; label: string }
  holderOfKey: KeySource
  client: PromptContext
  obtain(): Promise<{ assertionXml: string; profile: { id: string; label: string }; grant: DelegatedGrant }>
}

/** What the session tells the audit log and the UI. */
export type SessionEvent =
  | { type: 'login'; token: ActiveToken; client: PromptContext }
  | { type: 'renewal'; token: ActiveToken }
  | { type: 'renewal-failed'; error: AgentError }
  | { type: 'logout'; reason: 'user' | 'expired' | 'switch-profile'; assertionId?: string }

/** Options of {@link Session}; resolved once. */
export interface SessionOptions {
  exchange: StsExchange
  clock: Clock
  prompter: Prompter
  /** Environment label for prompts. */
  environment: string
  /** Requested token lifetime; default 24 h (TC `sessionmanager.validity.token`'s default). */
  lifetimeMs?: number
  /** When to renew, and to retry a failed renewal (renewal-plan.ts); default DEFAULT_RENEWAL_POLICY. */
  renewal?: RenewalPolicy
  /** How long before renewal to warn that it will need the PIN; default 10 minutes. */
  renewalNoticeMs?: number
  random: () => number
  /**
   * Every key source of the agent (keystore, eID, session key), whether or not a sign-in used
   * it: each is locked at every logout and after every failed or cancelled sign-in, so the next
   * sign-in asks the user again. The keys of a login request are locked too, listed here or not.
   */
  keySources?: () => Iterable<KeySource>
  onEvent?: (event: SessionEvent) => void
}

/** A login request, once the caller resolved profile and keys. */
export interface LoginRequest {
  profile: { id: string; label: string }
  /**
   * The claims for the profile, computed once the keys are unlocked: they depend on the
   * identification certificate (SSIN, NIHII), which a keystore shows only after its password.
   */
  claimsFor: (identification: CertificateInfo) => StsClaims
  keys: LoginKeys
  client: PromptContext
}

/**
 * The eHealth session: one token at a time, obtained with the user's consent, kept in memory,
 * renewed ahead of expiry by a single in-flight renewal every caller shares, wiped at logout and
 * at expiry (IAM eXchange Annex A §1.5: nothing is kept past the token's validity).
 */
export class Session {
  private readonly opts: Required<Omit<SessionOptions, 'onEvent'>> & Pick<SessionOptions, 'onEvent'>
  private active: ActiveToken | undefined
  /** Bumped by every logout: a sign-in that began before it must not bring a session back. */
  private generation = 0
  /** The one sign-in under way (login and delegated login share it), and who still waits for it. */
  private readonly logins = new SharedRuns<ActiveToken>()
  private renewalInFlight: Promise<ActiveToken> | undefined
  private cancelTimers: (() => void)[] = []

  constructor(options: SessionOptions) {
    this.opts = {
      lifetimeMs: 24 * 3600_000,
      renewal: DEFAULT_RENEWAL_POLICY,
      renewalNoticeMs: 10 * 60_000,
      keySources: () => [],
      ...options,
    }
  }

  /** The current token, if any, without renewing. */
  current(): ActiveToken | undefined {
    return this.active
  }

  /**
   * Sign in: unlock the keys through the Prompter (one prompt per key that needs one; after a
   * wrong PIN the user is asked again on the same prompt, never retried by itself), obtain the
   * token from the STS, check it, keep it. Concurrent calls share one login, hence one prompt
   * (threat T11). A caller whose `signal` aborts stops waiting; when every caller did, the prompt
   * is withdrawn. Logging in with another profile while signed in is a profile switch: a global
   * logout first (eHealth I.AM IDP v1.0).
   */
  async login(request: LoginRequest, options: AskOptions = {}): Promise<ActiveToken> {
    return this.logins.join('login', (signal) => this.lockingOnFailure(() => this.runLogin(request, signal), request.keys), options.signal)
  }

  private async runLogin(request: LoginRequest, signal: AbortSignal): Promise<ActiveToken> {
    if (this.active) await this.logout(this.active.profile.id === request.profile.id ? 'user' : 'switch-profile')
    const generation = this.generation
    await this.unlock(request, 'login', signal)
    this.checkNotSignedOut(generation)
    const claims = request.claimsFor(await request.keys.identification.certificate())
    const assertion = await issueToken(this.opts.exchange, request.keys, claims, this.opts.lifetimeMs)
    this.checkNotSignedOut(generation)
    const token = this.activate({ assertion, profile: request.profile, keys: request.keys, origin: 'sts' })
    this.opts.onEvent?.({ type: 'login', token, client: request.client })
    this.opts.prompter.notify({ kind: 'signed-in', text: `Signed in as ${request.profile.label} until ${assertion.conditions.notOnOrAfter.toISOString()}` })
    return token
  }

  /**
   * Use a token downloaded from the IDP (I.AM fat-client SSO spec v1.0, §5.2) "as if it was
   * retrieved from the STS itself": it must pass the same checks, and be bound to the certificate
   * of `holderOfKey`.
   */
  async importToken(assertionXml: string, holderOfKey: KeySource, profile: { id: string; label: string }, client: PromptContext, options: AskOptions = {}): Promise<ActiveToken> {
    const keys = { identification: holderOfKey, holderOfKey }
    const run = async (): Promise<ActiveToken> => {
      const generation = this.generation
      // Signature, issuer and validity first: a token that is not for this environment, or no
      // longer valid, is refused without asking the user for a password it would not need.
      this.checkToken(assertionXml, undefined)
      await this.unlock({ profile, keys, client, claimsFor: NO_CLAIMS }, 'login', options.signal)
      const assertion = this.checkToken(assertionXml, (await holderOfKey.certificate()).base64)
      this.checkNotSignedOut(generation)
      // The session this token replaces ends, but not by locking the key just unlocked for it.
      if (this.active) await this.end('switch-profile', new Set([holderOfKey]))
      const token = this.activate({ assertion, profile, keys, origin: 'imported' })
      this.opts.onEvent?.({ type: 'login', token, client })
      return token
    }
    return this.lockingOnFailure(run, keys)
  }

  /**
   * Sign in through a delegated grant (IAM Connect; I.AM IDP v1.0, IAM eXchange Annex A): a global
   * logout of any current session first (I.AM IDP v1.0: a new sign-in, possibly with another
   * profile), the HOK key unlocked (it signs the exchange proof), then `obtain` (browser, code,
   * token exchange), and the assertion checked as an imported one is: trusted STS signature,
   * validity, bound to our HOK key. Shares the single login in flight with {@link login}.
   */
  async loginDelegated(request: DelegatedLoginRequest, options: AskOptions = {}): Promise<ActiveToken> {
    const keys = { identification: request.holderOfKey, holderOfKey: request.holderOfKey }
    return this.logins.join('login', (signal) => this.lockingOnFailure(() => this.runDelegatedLogin(request, keys, signal), keys), options.signal)
  }

  private async runDelegatedLogin(request: DelegatedLoginRequest, keys: LoginKeys, signal: AbortSignal): Promise<ActiveToken> {
    if (this.active) await this.logout(this.active.profile.id === request.profile.id ? 'user' : 'switch-profile')
    const generation = this.generation
    await this.unlock({ profile: request.profile, keys, client: request.client, claimsFor: NO_CLAIMS }, 'login', signal)
    this.checkNotSignedOut(generation)
    const obtained = await request.obtain()
    let assertion: SamlAssertion
    try {
      assertion = this.checkToken(obtained.assertionXml, (await request.holderOfKey.certificate()).base64)
      this.checkNotSignedOut(generation)
    } catch (err) {
      await obtained.grant.end().catch(() => undefined)
      throw err
    }
    const token = this.activate({ assertion, profile: obtained.profile, keys, origin: 'sts', grant: obtained.grant, realIdentity: obtained.grant.realIdentity })
    this.opts.onEvent?.({ type: 'login', token, client: request.client })
    this.opts.prompter.notify({ kind: 'signed-in', text: `Signed in as ${obtained.profile.label} until ${assertion.conditions.notOnOrAfter.toISOString()}` })
    return token
  }

  /**
   * A token valid now, renewing first when its renewal time has come. A hundred callers arriving
   * at the renewal point share one STS request (threat T15); if the renewal fails while the token
   * is still valid, they get the current token and the renewal is retried later.
   */
  async token(): Promise<ActiveToken> {
    const token = this.active
    if (!token) throw new AgentError('ERR_NOT_LOGGED_IN')
    const now = this.opts.clock.now().getTime()
    if (now >= token.assertion.conditions.notOnOrAfter.getTime()) {
      await this.logout('expired')
      throw new AgentError('ERR_TOKEN_EXPIRED', 'the eHealth session has expired; sign in again')
    }
    if (now < token.renewAt.getTime()) return token
    try {
      return await this.renew()
    } catch (err) {
      if (this.active === token && this.opts.clock.now() < token.assertion.conditions.notOnOrAfter) return token
      throw err
    }
  }

  /** Renew now (single-flight). */
  renew(): Promise<ActiveToken> {
    if (this.renewalInFlight) return this.renewalInFlight
    const token = this.active
    if (!token) return Promise.reject(new AgentError('ERR_NOT_LOGGED_IN'))
    const run = async (): Promise<ActiveToken> => {
      try {
        await this.unlock({ profile: token.profile, keys: token.keys, client: { client: 'ehealth-agent (renewal)' }, claimsFor: NO_CLAIMS }, 'renewal')
        const assertion = token.grant
          ? this.checkToken(await token.grant.renew(), (await token.keys.holderOfKey.certificate()).base64)
          : await renewToken(this.opts.exchange, token.keys, token.assertion)
        if (this.active !== token) throw new AgentError('ERR_NOT_LOGGED_IN', 'signed out during renewal')
        const delegated = token.grant ? { grant: token.grant, ...(token.realIdentity ? { realIdentity: token.realIdentity } : {}) } : {}
        const renewed = this.activate({ assertion, profile: token.profile, keys: token.keys, origin: token.origin, ...delegated })
        this.opts.onEvent?.({ type: 'renewal', token: renewed })
        return renewed
      } catch (err) {
        const error = isAgentError(err) ? err : new AgentError('ERR_INTERNAL', 'renewal failed', {}, { cause: err })
        this.opts.onEvent?.({ type: 'renewal-failed', error })
        if (this.active === token && token.grant && error.code === 'ERR_NOT_LOGGED_IN') {
          // IAM eXchange Annex A §1.4: honoured only while the user is authenticated at the
          // provider. That session is over, so is this one.
          await this.logout('expired')
        } else if (this.active === token) {
          // Try again a little later rather than on every call (no renewal storm), and soon
          // enough that a short token gets several tries before it expires.
          token.renewAt = planRenewalRetry(this.opts.clock.now(), token.assertion.conditions.notOnOrAfter, this.opts.renewal)
          this.scheduleTimers(token)
        }
        throw error
      }
    }
    this.renewalInFlight = run().finally(() => (this.renewalInFlight = undefined))
    return this.renewalInFlight
  }

  /**
   * Global logout: the token and every timer are dropped, a sign-in in flight is cancelled, and
   * every key source is locked — with or without a token, so that whatever a failed or
   * interrupted sign-in may have unlocked, the next sign-in asks the user again.
   */
  async logout(reason: 'user' | 'expired' | 'switch-profile' = 'user'): Promise<void> {
    await this.end(reason, new Set())
  }

  /** {@link logout}, leaving the key sources in `keep` unlocked (the key a replacing token needs). */
  private async end(reason: 'user' | 'expired' | 'switch-profile', keep: ReadonlySet<KeySource>): Promise<void> {
    this.generation++
    const token = this.active
    this.active = undefined
    for (const cancel of this.cancelTimers) cancel()
    this.cancelTimers = []
    // I.AM IDP v1.0: a global logout closes the provider's session too.
    if (token) await token.grant?.end().catch(() => undefined)
    await this.lockKeys(token ? [token.keys.identification, token.keys.holderOfKey] : [], keep)
    if (!token) return
    this.opts.onEvent?.({ type: 'logout', reason, assertionId: token.assertion.assertionId })
    this.opts.prompter.notify({ kind: 'signed-out', text: reason === 'expired' ? 'The eHealth session expired' : 'Signed out of eHealth' })
  }

  /**
   * Run a sign-in; when it fails (the STS unavailable or refusing, the user cancelling, a wrong
   * PIN, a bad answer, a logout meanwhile), lock every key source the session now in use does
   * not need, `keys` included, before the failure reaches the caller. PKCS#11 v2.40 §5.6: the
   * card keeps a verified PIN for every session of this application until C_Logout, so "the
   * sign-in failed" must not mean "the card stays unlocked".
   */
  private async lockingOnFailure(run: () => Promise<ActiveToken>, keys: LoginKeys): Promise<ActiveToken> {
    try {
      return await run()
    } catch (err) {
      const inUse = this.active ? [this.active.keys.identification, this.active.keys.holderOfKey] : []
      await this.lockKeys([keys.identification, keys.holderOfKey], new Set(inUse))
      throw err
    }
  }

  /** Lock every key source of the agent, plus `extra`, except those in `keep`. Never throws. */
  private async lockKeys(extra: readonly KeySource[], keep: ReadonlySet<KeySource>): Promise<void> {
    const sources = new Set<KeySource>([...this.opts.keySources(), ...extra])
    await Promise.all([...sources].filter((k) => !keep.has(k)).map((k) => k.logout().catch(() => undefined)))
  }

  /** A logout came while a sign-in was under way: the sign-in ends there (and its keys are locked). */
  private checkNotSignedOut(generation: number): void {
    if (this.generation !== generation) throw new AgentError('ERR_NOT_LOGGED_IN', 'signed out during the sign-in')
  }

  /**
   * The acceptance check of a token not from our own STS request (imported, or from a delegated
   * grant): trusted STS signature, validity and, when `hokBase64` is given, bound to that certificate.
   */
  private checkToken(assertionXml: string, hokBase64: string | undefined): SamlAssertion {
    return checkAssertion(assertionXml, {
      ...trustOf(this.opts.exchange),
      now: this.opts.clock.now(),
      skewMs: this.opts.exchange.skewMs,
      ...(hokBase64 !== undefined ? { expectedHokCertificateBase64: hokBase64 } : {}),
    })
  }

  private activate(parts: Omit<ActiveToken, 'renewAt'>): ActiveToken {
    const { notBefore, notOnOrAfter } = parts.assertion.conditions
    // The lifetime counts from when the token was issued: the STS dates NotBefore back by some
    // minutes (a real acceptance token: 5) to absorb clock differences.
    const issued = new Date(Math.max(notBefore.getTime(), Math.min(parts.assertion.issueInstant.getTime(), notOnOrAfter.getTime())))
    const receivedAt = this.opts.clock.now()
    const token: ActiveToken = { ...parts, renewAt: planRenewal({ notBefore: issued, notOnOrAfter, receivedAt }, this.opts.random(), this.opts.renewal) }
    this.active = token
    this.scheduleTimers(token)
    return token
  }

  private scheduleTimers(token: ActiveToken): void {
    for (const cancel of this.cancelTimers) cancel()
    const now = this.opts.clock.now().getTime()
    const { clock } = this.opts
    this.cancelTimers = [
      clock.setTimer(token.renewAt.getTime() - now, () => void this.renew().catch(() => undefined)),
      // IAM eXchange Annex A §1.5: the token is not kept in memory past its validity.
      clock.setTimer(token.assertion.conditions.notOnOrAfter.getTime() - now, () => void this.expire(token)),
      // A renewal that will need the PIN is announced ahead of time, never sprung mid-work.
      clock.setTimer(token.renewAt.getTime() - this.opts.renewalNoticeMs - now, () => {
        if (this.active === token && token.keys.identification.loginState() === 'logged-out') {
          this.opts.prompter.notify({ kind: 'renewal-needed', text: 'The eHealth session must be renewed soon; the eID PIN will be asked', at: token.renewAt })
        }
      }),
    ]
  }

  private async expire(token: ActiveToken): Promise<void> {
    if (this.active === token) await this.logout('expired')
  }

  /**
   * Unlock each distinct key that is locked: one prompt each, the answer handed straight to it.
   * A wrong PIN or password is never retried by the agent (threat T11): the prompt asks the user
   * again, saying it was wrong and how many tries are left, and only what the user types next is
   * tried; the user may stop instead. A locked PIN, or a prompter that cannot ask again, ends it
   * with the key source's error.
   */
  private async unlock(request: LoginRequest, purpose: 'login' | 'renewal', signal?: AbortSignal): Promise<void> {
    const ask: AskOptions = signal ? { signal } : {}
    const sources = [...new Set<KeySource>([request.keys.identification, request.keys.holderOfKey])]
    for (const key of sources) {
      if (key.loginState() === 'logged-in') continue
      const requirement = await key.loginRequirement()
      const prompt = { ...request.client, purpose, profile: request.profile, environment: this.opts.environment, keySource: key.label, requirement }
      if (requirement.secret === 'none') {
        await this.opts.prompter.confirm(prompt, ask)
        await key.login(undefined)
        continue
      }
      let secret = await this.opts.prompter.askSecret(prompt, ask)
      for (;;) {
        try {
          await key.login(secret)
          break
        } catch (err) {
          const refusal = readRefusal(err)
          if (!refusal || !this.opts.prompter.askSecretAgain || signal?.aborted) throw err
          // Asked in the same turn of the event loop as the failure: the page goes from
          // "checking" straight back to the question, with what was wrong.
          secret = await this.opts.prompter.askSecretAgain(prompt, refusal, ask)
        }
      }
    }
  }
}

/** A wrong PIN or password the user may try again (a locked PIN is not one). */
function readRefusal(err: unknown): SecretRefusal | undefined {
  if (!isAgentError(err) || (err.code !== 'ERR_PIN_INCORRECT' && err.code !== 'ERR_PASSWORD_INCORRECT')) return undefined
  const retriesLeft = err.data.retriesLeft
  return { code: err.code, ...(retriesLeft === 1 || retriesLeft === 'low' ? { retriesLeft } : {}) }
}
