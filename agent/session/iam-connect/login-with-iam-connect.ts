import { createRemoteJWKSet, customFetch } from 'jose'
import { isProfileId, PROFILES } from '../../../protocol/sts/profiles.js'
import type { Clock } from '../../clock.js'
import type { PromptContext } from '../../consent/prompter.js'
import type { KeySource } from '../../keys/key-source.js'
import type { ActiveToken, Session } from '../session.js'
import { buildAuthorizationUrl } from './authorization-url.js'
import { IamConnectError } from './iam-connect-error.js'
import { IamConnectGrant } from './iam-connect-grant.js'
import { listenForCallback } from './loopback-callback.js'
import { fetchProviderMetadata, type HttpFetch, type ProviderMetadata } from './provider-metadata.js'
import { createPkcePair, randomSecret } from './random-secrets.js'
import { redeemCode } from './token-request.js'
import { validateIdToken } from './validate-id-token.js'

/** The agent's client id at IAM Connect (a public native client, see agent/sandbox/oidc/README.md). */
export const AGENT_CLIENT_ID = 'ehealth-agent'

/** Everything an IAM Connect sign-in needs; every side effect injected. */
export interface IamConnectLoginOptions {
  session: Session
  /**
   * The key the SAML token is bound to and that signs the exchange proof: the agent's generated
   * session key (`createSessionKeySource`) for a user without card reader or eHealth keystore, or
   * the eHealth keystore when there is one.
   */
  holderOfKey: KeySource
  /** The IAM Connect issuer URL (`iamConnectIssuerFor(environment)`). */
  issuer: string
  clientId?: string
  /**
   * The profile asked for (`doctor`, `org:hospital`, …): preselected at the provider, and the
   * user's choice must match it. Omitted: whatever the user chooses.
   */
  profile?: string
  /** Opens the authorization URL: the system browser (`openSystemBrowser()`), or the demo's page walker. */
  openUrl: (url: string) => Promise<void>
  clock: Clock
  /** Who asked for the sign-in (for the unlock prompt and the privacy log). */
  client: PromptContext
  /** The agent's HTTP client as fetch (agent/net/http-client.ts): its proxy, extra CAs and deadline. */
  fetch: HttpFetch
  /** How long the user has in the browser; default 10 minutes. */
  timeoutMs?: number
  /** 256-bit random strings (state, nonce, PKCE verifier, proof ids); injected in tests. */
  randomSecret?: () => string
}

/**
 * Sign in through eHealth IAM Connect and hold the resulting SAML holder-of-key token in the
 * Session, like a token from the STS (I.AM IDP v1.0; IAM eXchange Annex A §1.3-1.5):
 *
 * 1. the Session logs out of any current session (global logout, I.AM IDP v1.0) and unlocks the HOK
 *    key;
 * 2. discovery; a one-shot listener on `http://127.0.0.1:<ephemeral port>/callback` (RFC 8252 §7.3);
 * 3. the system browser opens the authorization URL (code flow, PKCE S256, `state`, `nonce`);
 *    the user signs in (itsme, eID or TOTP), chooses the profile and, the first time, consents;
 * 4. the redirect's `state` (and `iss`, RFC 9207) are checked, the code redeemed with its verifier,
 *    the ID token validated with jose (signature against the JWKS, `iss`, `aud`, `exp`, `nonce`);
 * 5. the access token is exchanged (RFC 8693) for a SAML token bound to the HOK key, with a proof
 *    signed by that key; the Session checks it (trusted STS signature, validity, bound to our key)
 *    and keeps it, with the grant that renews it (refresh, then exchange) and ends it (end-session);
 * 6. access, refresh and ID tokens stay in memory, in the grant, and nowhere else.
 *
 * The ActiveToken's `realIdentity` names the person (ID token `sub`, `name`, `ssin`) for the
 * privacy log (IAM eXchange Annex A §1.5).
 */
export async function loginWithIamConnect(options: IamConnectLoginOptions): Promise<ActiveToken> {
  const clientId = options.clientId ?? AGENT_CLIENT_ID
  const http = options.fetch
  const random = options.randomSecret ?? randomSecret
  const requested = options.profile === undefined ? undefined : describeProfile(options.profile)
  return options.session.loginDelegated({
    profile: requested ?? { id: 'iam-connect', label: 'the profile chosen at eHealth IAM Connect' },
    holderOfKey: options.holderOfKey,
    client: options.client,
    obtain: async () => {
      const metadata = await fetchProviderMetadata(options.issuer, http)
      const { code, redirectUri, nonce, verifier } = await authorizeInBrowser(options, metadata, clientId, random)
      const tokens = await redeemCode(http, { tokenEndpoint: metadata.tokenEndpoint, clientId, code, redirectUri, codeVerifier: verifier })
      const keys = createRemoteJWKSet(new URL(metadata.jwksUri), { [customFetch]: (url, init) => http(url, init) })
      const claims = await validateIdToken(tokens.idToken, { issuer: metadata.issuer, clientId, nonce, keys, now: options.clock.now() })
      const grant = new IamConnectGrant({
        http,
        metadata,
        clientId,
        holderOfKey: options.holderOfKey,
        clock: options.clock,
        newId: random,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        idToken: tokens.idToken!,
        realIdentity: {
          issuer: metadata.issuer,
          subject: claims.sub,
          ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
          ...(typeof claims.ssin === 'string' ? { ssin: claims.ssin } : {}),
        },
      })
      try {
        const chosen = claims.ehealth_profile
        if (typeof chosen !== 'string') throw new IamConnectError('provider-invalid', 'the ID token does not say which profile was chosen')
        if (requested && chosen !== requested.id) {
          // I.AM IDP v1.0: another profile takes a global logout; the grant's end() below does it.
          throw new IamConnectError('profile-mismatch', `the profile chosen at IAM Connect (${chosen}) is not the one asked for (${requested.id})`, { requested: requested.id, chosen })
        }
        const assertionXml = await grant.exchange()
        return { assertionXml, profile: describeProfile(chosen, claims.ehealth_profile_label), grant }
      } catch (err) {
        await grant.end().catch(() => undefined)
        throw err
      }
    },
  })
}

/** Steps 2-4 up to the code: listener, browser, redirect checks. */
async function authorizeInBrowser(
  options: IamConnectLoginOptions,
  metadata: ProviderMetadata,
  clientId: string,
  random: () => string,
): Promise<{ code: string; redirectUri: string; nonce: string; verifier: string }> {
  const listener = await listenForCallback({ clock: options.clock, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) })
  try {
    const pkce = createPkcePair(random)
    const state = random()
    const nonce = random()
    const url = buildAuthorizationUrl({
      metadata,
      clientId,
      redirectUri: listener.redirectUri,
      state,
      nonce,
      codeChallenge: pkce.challenge,
      ...(options.profile ? { profileHint: options.profile } : {}),
    })
    try {
      await options.openUrl(url)
    } catch (err) {
      throw new IamConnectError('browser-failed', 'could not open the browser for the eHealth sign-in', { detail: err instanceof Error ? err.message.slice(0, 200) : 'openUrl failed' }, { cause: err })
    }
    const params = await listener.received
    // RFC 6749 §10.12: the answer must be to our request, not one forged or crossed in the browser.
    if (params.get('state') !== state) throw new IamConnectError('state-mismatch', 'the sign-in answer does not carry the state of this request')
    // RFC 9207 §2.4: with a provider that sends `iss`, it must be there and be this provider.
    const iss = params.get('iss')
    if ((iss !== null || metadata.issParameterSupported) && iss !== metadata.issuer) {
      throw new IamConnectError('issuer-mismatch', 'the sign-in answer comes from another provider (iss)')
    }
    const error = params.get('error')
    if (error !== null) {
      const description = (params.get('error_description') ?? '').slice(0, 300)
      const data = { oauthError: error.slice(0, 64), ...(description ? { description } : {}) }
      if (error === 'access_denied') throw new IamConnectError('access-denied', 'the eHealth sign-in was refused or cancelled in the browser', data)
      throw new IamConnectError('authorization-error', `IAM Connect refused the sign-in: ${error.slice(0, 64)}`, data)
    }
    const code = params.get('code')
    if (!code) throw new IamConnectError('provider-invalid', 'the sign-in answer carries no code')
    return { code, redirectUri: listener.redirectUri, nonce, verifier: pkce.verifier }
  } finally {
    await listener.close()
  }
}

function describeProfile(id: string, label?: unknown): { id: string; label: string } {
  if (isProfileId(id)) return { id, label: PROFILES[id].label }
  return { id, label: typeof label === 'string' && label.length <= 200 ? label : id }
}
