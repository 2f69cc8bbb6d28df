import { AgentError, isAgentError } from '../../../protocol/errors.js'
import { IamConnectError, type IamConnectFailure } from './iam-connect-error.js'
import type { HttpFetch } from './provider-metadata.js'

/** What the token endpoint gives for the code and refresh grants (RFC 6749 §5.1). */
export interface OidcTokens {
  accessToken: string
  /** Absent when the provider issued none (it then keeps the previous one valid, RFC 6749 §6). */
  refreshToken: string | undefined
  idToken: string | undefined
  expiresIn: number | undefined
}

/**
 * POST a form to the token endpoint and read its JSON (RFC 6749 §3.2, §5). An OAuth error answer
 * becomes an IamConnectError of `failure`, with the provider's `error` and `error_description`
 * in `data`; a transport failure is ERR_NETWORK (or the client's ERR_PROXY, ERR_TLS, ERR_TIMEOUT). The body is sent as
 * application/x-www-form-urlencoded, never in the URL.
 */
export async function postTokenRequest(http: HttpFetch, tokenEndpoint: string, form: Record<string, string>, failure: IamConnectFailure): Promise<Record<string, unknown>> {
  let res: Response
  try {
    res = await http(tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      redirect: 'error',
    })
  } catch (err) {
    if (isAgentError(err) && err.code !== 'ERR_NETWORK') throw err
    throw new AgentError('ERR_NETWORK', 'could not reach the IAM Connect token endpoint', { detail: err instanceof Error ? err.message : 'fetch failed' }, { cause: err })
  }
  const body: unknown = await res.json().catch(() => undefined)
  const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined
  if (res.ok && object) return object
  if (object && typeof object.error === 'string') {
    const oauthError = object.error.slice(0, 64)
    const description = typeof object.error_description === 'string' ? object.error_description.slice(0, 300) : undefined
    throw new IamConnectError(failure, `IAM Connect refused: ${oauthError}${description ? ` (${description})` : ''}`, {
      oauthError,
      ...(description ? { description } : {}),
      status: res.status,
    })
  }
  throw new IamConnectError('provider-invalid', `the IAM Connect token endpoint answered HTTP ${res.status} without an OAuth answer`, { status: res.status })
}

/** Redeem an authorization code with its PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export async function redeemCode(
  http: HttpFetch,
  input: { tokenEndpoint: string; clientId: string; code: string; redirectUri: string; codeVerifier: string },
): Promise<OidcTokens> {
  const body = await postTokenRequest(
    http,
    input.tokenEndpoint,
    { grant_type: 'authorization_code', client_id: input.clientId, code: input.code, redirect_uri: input.redirectUri, code_verifier: input.codeVerifier },
    'token-refused',
  )
  return readTokens(body)
}

/**
 * Refresh (RFC 6749 §6). A refused refresh token means the provider session is over (logout,
 * expiry, revocation): `signed-out`, i.e. ERR_NOT_LOGGED_IN, sign in again.
 */
export async function refreshTokens(http: HttpFetch, input: { tokenEndpoint: string; clientId: string; refreshToken: string }): Promise<OidcTokens> {
  const body = await postTokenRequest(http, input.tokenEndpoint, { grant_type: 'refresh_token', client_id: input.clientId, refresh_token: input.refreshToken }, 'signed-out')
  return readTokens(body)
}

function readTokens(body: Record<string, unknown>): OidcTokens {
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new IamConnectError('provider-invalid', 'the IAM Connect token answer has no access_token')
  }
  // RFC 6749 §7.1: the agent only knows how to use Bearer tokens.
  if (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
    throw new IamConnectError('provider-invalid', 'the IAM Connect token answer is not a Bearer token')
  }
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined,
    idToken: typeof body.id_token === 'string' ? body.id_token : undefined,
    expiresIn: typeof body.expires_in === 'number' ? body.expires_in : undefined,
  }
}
