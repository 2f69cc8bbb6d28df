import { findClient, matchRedirectUri } from './oidc-clients.js'
import type { AuthorizationRequest } from './iam-connect-provider.js'

/** The outcome of checking an authorization request (RFC 6749 §4.1.1, §4.1.2.1). */
export type AuthorizationCheck =
  | { kind: 'ok'; request: AuthorizationRequest }
  /** The client or its redirect URI is unknown: tell the user, never redirect (RFC 6749 §4.1.2.1). */
  | { kind: 'page-error'; message: string }
  /** Anything else wrong: back to the client with an error code. */
  | { kind: 'redirect-error'; redirectUri: string; state: string | undefined; error: string; description: string }

const PARAMS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'profile_hint', 'response_mode'] as const

/**
 * Check the query of an authorization request. Besides RFC 6749, what the sandbox requires of a
 * native public client: PKCE with S256 (RFC 7636 §4.3; `plain` refused, RFC 9700 §2.1.1), a
 * `nonce` (OpenID Connect Core §3.1.2.1 makes it optional for the code flow; required here so the
 * ID token is tied to this request), `openid` in the scope, response_mode `query` only.
 * `profile_hint` (modelled, not an OpenID Connect parameter) preselects a profile on the choice
 * page; the user still decides.
 */
export function checkAuthorizationRequest(query: URLSearchParams): AuthorizationCheck {
  // RFC 6749 §3.1: parameters MUST NOT be included more than once. Which client, and where to
  // answer, must be unambiguous before anything can be redirected.
  if (query.getAll('client_id').length > 1 || query.getAll('redirect_uri').length > 1) {
    return { kind: 'page-error', message: 'The request repeats client_id or redirect_uri.' }
  }
  const client = findClient(query.get('client_id'))
  if (!client) return { kind: 'page-error', message: 'Unknown client: this application is not registered at IAM Connect.' }
  const redirectUri = matchRedirectUri(client, query.get('redirect_uri'))
  if (!redirectUri) return { kind: 'page-error', message: 'The redirect URI is not registered for this application.' }

  const state = query.get('state') ?? undefined
  const fail = (error: string, description: string): AuthorizationCheck => ({ kind: 'redirect-error', redirectUri, state, error, description })
  if (PARAMS.some((name) => query.getAll(name).length > 1)) return fail('invalid_request', 'a parameter is repeated')
  if (state !== undefined && (state.length === 0 || state.length > 512)) return fail('invalid_request', 'state must be 1 to 512 characters')
  if (query.has('request') || query.has('request_uri')) return fail('request_not_supported', 'request objects are not supported')
  if (query.get('response_type') !== 'code') return fail('unsupported_response_type', 'only the authorization code flow (response_type=code) is supported')
  const mode = query.get('response_mode')
  if (mode !== null && mode !== 'query') return fail('invalid_request', 'only response_mode=query is supported')
  const scope = query.get('scope') ?? ''
  if (!scope.split(' ').includes('openid')) return fail('invalid_scope', 'the scope must include openid')
  if (scope.length > 512) return fail('invalid_scope', 'the scope is too long')
  const challenge = query.get('code_challenge')
  if (challenge === null) return fail('invalid_request', 'PKCE is required: code_challenge is missing')
  if (query.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'PKCE code_challenge_method must be S256')
  // BASE64URL(SHA256(verifier)) is always 43 characters (RFC 7636 §4.2).
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail('invalid_request', 'code_challenge is not a base64url SHA-256 value')
  const nonce = query.get('nonce')
  if (nonce === null || nonce.length === 0 || nonce.length > 512) return fail('invalid_request', 'a nonce (1 to 512 characters) is required')
  const prompt = query.get('prompt') ?? ''
  // No silent authentication: every sign-in shows pages to a present user (IAM eXchange Annex A
  // §1.4).
  if (prompt.split(' ').includes('none')) return fail('interaction_required', 'prompt=none is not supported')
  const hint = query.get('profile_hint') ?? undefined
  if (hint !== undefined && !/^[a-z][a-z:]{0,39}$/.test(hint)) return fail('invalid_request', 'profile_hint is not a profile id')

  return {
    kind: 'ok',
    request: { clientId: client.clientId, redirectUri, state, nonce, codeChallenge: challenge, scope, profileHint: hint, forceLogin: prompt.split(' ').includes('login') },
  }
}

/** Where the browser goes back to the client: the redirect URI with the answer's parameters (RFC 6749 §4.1.2), and `iss` (RFC 9207). */
export function clientRedirect(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
  return url.href
}
