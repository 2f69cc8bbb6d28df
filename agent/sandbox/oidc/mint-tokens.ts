import { findPersonById } from '../directory.js'
import type { IamConnectProvider, SsoSession } from './iam-connect-provider.js'
import { signJwt } from './jwt.js'

/** RFC 9068 §2.1: the `typ` of a JWT access token. */
export const ACCESS_TOKEN_TYP = 'at+jwt'

/** What the token endpoint answers for the code and refresh grants (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3). */
export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token: string
  refresh_expires_in: number
  scope: string
  id_token?: string
}

// RFC 8176 authentication method references for the simulated methods.
const AMR = { itsme: ['swk', 'pin', 'mfa'], eid: ['sc', 'pin', 'mfa'], totp: ['pwd', 'otp', 'mfa'] } as const

/**
 * Mint the tokens of one grant for `session`: a JWT access token carrying the chosen profile
 * (I.AM IDP v1.0, use case ATH-UC-11-BF step 10: "The IAM connect creates an access token JWT with
 * the new profile"), an opaque refresh token that lives as long as the SSO session, and, for the
 * code grant, the ID token (with the request's nonce). Claims beyond OpenID Connect's are modelled:
 * `ssin` (the national number, the identity eHealth's IDP works with), `ehealth_profile`,
 * `ehealth_profile_label`, `auth_method`.
 */
export function mintTokens(
  provider: IamConnectProvider,
  input: { issuer: string; session: SsoSession; clientId: string; scope: string; nonce?: string },
): { response: TokenResponse; refreshToken: string; accessJti: string } {
  const { issuer, session, clientId, scope } = input
  const now = provider.now()
  const iat = Math.floor(now / 1000)
  const exp = Math.floor((now + provider.options.accessTokenTtlMs) / 1000)
  const person = findPersonById(session.personId)
  const profile = session.choice
  const accessJti = provider.newSecret()
  const accessToken = signJwt(
    provider.key,
    {
      iss: issuer,
      sub: session.subject,
      // The provider's own endpoints (userinfo, token exchange) are this token's audience.
      aud: issuer,
      client_id: clientId,
      azp: clientId,
      iat,
      exp,
      jti: accessJti,
      scope,
      sid: session.sid,
      auth_time: Math.floor(session.authTime / 1000),
      ...(profile ? { ehealth_profile: profile.profile } : {}),
    },
    ACCESS_TOKEN_TYP,
  )
  provider.put(provider.accessTokens, accessJti, { clientId, sid: session.sid, expiresAt: exp * 1000 })

  const refreshToken = provider.newSecret()
  provider.put(provider.refreshTokens, refreshToken, { clientId, sid: session.sid, scope, expiresAt: session.expiresAt, used: false })

  const idToken =
    input.nonce === undefined
      ? undefined
      : signJwt(provider.key, {
          iss: issuer,
          sub: session.subject,
          aud: clientId,
          azp: clientId,
          iat,
          exp,
          auth_time: Math.floor(session.authTime / 1000),
          nonce: input.nonce,
          sid: session.sid,
          amr: AMR[session.method],
          auth_method: session.method,
          name: `${person.givenName} ${person.surname}`,
          given_name: person.givenName,
          family_name: person.surname,
          ssin: person.ssin,
          ...(profile ? { ehealth_profile: profile.profile, ehealth_profile_label: profile.label } : {}),
        })

  return {
    response: {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: exp - iat,
      refresh_token: refreshToken,
      refresh_expires_in: Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
      scope,
      ...(idToken ? { id_token: idToken } : {}),
    },
    refreshToken,
    accessJti,
  }
}
