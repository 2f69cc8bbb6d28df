import type { IamConnectProvider, SsoSession } from './iam-connect-provider.js'
import { readOwnJwt, type JwtClaims } from './jwt.js'
import { ACCESS_TOKEN_TYP } from './mint-tokens.js'

/** A live access token of this provider: its claims, the client it was issued to, its SSO session. */
export interface LiveAccessToken {
  claims: JwtClaims
  clientId: string
  session: SsoSession
}

/**
 * Check an access token presented to the provider's own endpoints (userinfo, token exchange):
 * signed by this provider as an `at+jwt` (RFC 9068 §4), issued here, not expired, not revoked (its
 * id is still on record: a global logout removes it), and its SSO session alive.
 */
export function readAccessToken(provider: IamConnectProvider, issuer: string, token: unknown): LiveAccessToken | undefined {
  const claims = readOwnJwt(provider.key, token, ACCESS_TOKEN_TYP)
  if (!claims || claims.iss !== issuer || claims.aud !== issuer || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return undefined
  if (claims.exp * 1000 <= provider.now()) return undefined
  const grant = provider.accessTokens.get(claims.jti)
  if (!grant || grant.expiresAt <= provider.now()) return undefined
  const session = provider.liveSession(grant.sid)
  if (!session || claims.sid !== session.sid) return undefined
  return { claims, clientId: grant.clientId, session }
}
