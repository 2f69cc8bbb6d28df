import type { ProviderMetadata } from './provider-metadata.js'

/** What goes into an authorization request. */
export interface AuthorizationUrlInput {
  metadata: ProviderMetadata
  clientId: string
  redirectUri: string
  state: string
  nonce: string
  codeChallenge: string
  /** A profile to preselect (`profile_hint`, modelled: the user still chooses at the provider). */
  profileHint?: string
}

/**
 * The authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1) of a native app
 * (RFC 8252 §6-7): code flow, PKCE S256 (RFC 7636 §4.3), `state` against cross-site request
 * forgery, `nonce` tying the ID token to this request, the loopback redirect URI, and
 * `prompt=login`: the agent has just done a global logout, so the user signs in afresh and
 * chooses the profile (eHealth I.AM IDP v1.0).
 */
export function buildAuthorizationUrl(input: AuthorizationUrlInput): string {
  const url = new URL(input.metadata.authorizationEndpoint)
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    scope: 'openid profile',
    state: input.state,
    nonce: input.nonce,
    code_challenge: input.codeChallenge,
    code_challenge_method: 'S256',
    prompt: 'login',
    ...(input.profileHint ? { profile_hint: input.profileHint } : {}),
  }
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.href
}
