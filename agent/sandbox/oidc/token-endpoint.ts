import { createHash, timingSafeEqual } from 'node:crypto'
import { findClient } from './oidc-clients.js'
import type { IamConnectProvider } from './iam-connect-provider.js'
import { mintTokens } from './mint-tokens.js'
import { GRANT_TYPES, oauthError, type OAuthAnswer } from './oauth-names.js'
import { handleTokenExchange } from './token-exchange-grant.js'

/** The issuer and token endpoint URLs as this request reached them. */
export interface EndpointUrls {
  issuer: string
  tokenEndpoint: string
}

const SINGLE_VALUED = ['grant_type', 'client_id', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'scope'] as const

/**
 * The token endpoint (RFC 6749 §3.2) for the one public client: `client_id` identifies it, with no
 * secret (RFC 6749 §2.3, RFC 8252 §8.5). Grants: authorization code with PKCE, refresh token
 * (rotated), and the token exchange to a SAML holder-of-key token (RFC 8693).
 */
export async function handleTokenRequest(provider: IamConnectProvider, form: URLSearchParams, urls: EndpointUrls): Promise<OAuthAnswer> {
  const grantType = form.get('grant_type') ?? ''
  const answer = await answerTokenRequest(provider, form, urls, grantType)
  provider.recordGrant(grantType, answer.status === 200 ? 'ok' : String(answer.body.error), answer.status === 200 ? undefined : String(answer.body.error_description))
  return answer
}

async function answerTokenRequest(provider: IamConnectProvider, form: URLSearchParams, urls: EndpointUrls, grantType: string): Promise<OAuthAnswer> {
  // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
  for (const name of SINGLE_VALUED) if (form.getAll(name).length > 1) return oauthError('invalid_request', `the parameter ${name} is repeated`)
  const client = findClient(form.get('client_id'))
  if (!client) return oauthError('invalid_client', 'unknown client_id', 401)
  switch (grantType) {
    case GRANT_TYPES.authorizationCode:
      return redeemCode(provider, form, urls, client.clientId)
    case GRANT_TYPES.refreshToken:
      return refresh(provider, form, urls, client.clientId)
    case GRANT_TYPES.tokenExchange:
      return handleTokenExchange(provider, form, urls, client.clientId)
    default:
      return oauthError('unsupported_grant_type', 'grant_type must be authorization_code, refresh_token or token-exchange')
  }
}

/** RFC 6749 §4.1.3 with RFC 7636 §4.5-4.6; the code works once (§4.1.2). */
function redeemCode(provider: IamConnectProvider, form: URLSearchParams, urls: EndpointUrls, clientId: string): OAuthAnswer {
  const code = form.get('code') ?? ''
  const grant = provider.codes.get(code)
  if (!grant) return oauthError('invalid_grant', 'unknown or expired authorization code')
  if (grant.used) {
    // RFC 6749 §4.1.2: a code presented twice revokes what it gave (someone else may hold it).
    for (const token of grant.issued.refresh) provider.refreshTokens.delete(token)
    for (const jti of grant.issued.access) provider.accessTokens.delete(jti)
    return oauthError('invalid_grant', 'the authorization code was already used; the tokens it gave are revoked')
  }
  // Spent at the first attempt, whatever its outcome: no second guess at the verifier.
  grant.used = true
  if (grant.expiresAt <= provider.now()) return oauthError('invalid_grant', 'the authorization code has expired')
  if (grant.clientId !== clientId) return oauthError('invalid_grant', 'the authorization code was issued to another client')
  if (form.get('redirect_uri') !== grant.redirectUri) return oauthError('invalid_grant', 'redirect_uri does not match the authorization request')
  const verifier = form.get('code_verifier')
  if (verifier === null || verifier === '') return oauthError('invalid_request', 'PKCE code_verifier is missing')
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return oauthError('invalid_grant', 'PKCE code_verifier is malformed (RFC 7636 §4.1)')
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'))
  const expected = Buffer.from(grant.codeChallenge)
  if (computed.length !== expected.length || !timingSafeEqual(computed, expected)) return oauthError('invalid_grant', 'PKCE verification failed: code_verifier does not match code_challenge')
  const session = provider.liveSession(grant.sid)
  if (!session) return oauthError('invalid_grant', 'the sign-in session has ended')
  const minted = mintTokens(provider, { issuer: urls.issuer, session, clientId, scope: grant.scope, nonce: grant.nonce })
  grant.issued.refresh.push(minted.refreshToken)
  grant.issued.access.push(minted.accessJti)
  return { status: 200, body: { ...minted.response } }
}

/** RFC 6749 §6, rotating the refresh token (RFC 9700 §4.14.2); no new ID token. */
function refresh(provider: IamConnectProvider, form: URLSearchParams, urls: EndpointUrls, clientId: string): OAuthAnswer {
  const token = form.get('refresh_token') ?? ''
  const grant = provider.refreshTokens.get(token)
  if (!grant) return oauthError('invalid_grant', 'unknown, expired or revoked refresh token; sign in again')
  if (grant.used) {
    // A rotated-away token presented again: one of two holders is not the client. End it all.
    provider.endSession(grant.sid, 'refresh-token-replay', clientId)
    return oauthError('invalid_grant', 'the refresh token was already used; the session is ended')
  }
  if (grant.clientId !== clientId) return oauthError('invalid_grant', 'the refresh token was issued to another client')
  if (grant.expiresAt <= provider.now()) return oauthError('invalid_grant', 'the refresh token has expired; sign in again')
  const session = provider.liveSession(grant.sid)
  if (!session) return oauthError('invalid_grant', 'the sign-in session has ended; sign in again')
  grant.used = true
  const minted = mintTokens(provider, { issuer: urls.issuer, session, clientId, scope: grant.scope })
  return { status: 200, body: { ...minted.response } }
}
