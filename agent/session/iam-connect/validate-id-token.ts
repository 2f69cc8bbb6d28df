import { timingSafeEqual } from 'node:crypto'
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { IamConnectError } from './iam-connect-error.js'

/** The claims the agent reads from a validated ID token. */
export interface IdTokenClaims extends JWTPayload {
  sub: string
  sid?: string
  name?: string
  ssin?: string
  ehealth_profile?: string
  ehealth_profile_label?: string
}

export interface IdTokenExpectations {
  issuer: string
  clientId: string
  nonce: string
  /** The provider's keys (a jose JWKS, fetched from `jwks_uri`). */
  keys: JWTVerifyGetKey
  now: Date
  /** Tolerated clock difference with the provider; default 60 s. */
  clockToleranceS?: number
}

/**
 * Validate an ID token as OpenID Connect Core §3.1.3.7 requires, with jose: RS256 only, signed by
 * a key of the provider's JWKS, `iss` the provider, `aud` containing our client id (and `azp` ours
 * when there are several audiences), not expired, `iat` present, and the `nonce` of this very
 * request (replay of an ID token from another sign-in). Each failure is `id-token-invalid` with
 * `data.check` naming the check.
 */
export async function validateIdToken(idToken: string | undefined, expect: IdTokenExpectations): Promise<IdTokenClaims> {
  const fail = (check: string, message: string, cause?: unknown) =>
    new IamConnectError('id-token-invalid', `the IAM Connect ID token is not valid: ${message}`, { check }, cause === undefined ? undefined : { cause })
  if (typeof idToken !== 'string' || idToken === '') throw fail('missing', 'the token answer has no id_token')
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(idToken, expect.keys, {
      algorithms: ['RS256'],
      issuer: expect.issuer,
      audience: expect.clientId,
      currentDate: expect.now,
      clockTolerance: expect.clockToleranceS ?? 60,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }))
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) throw fail('signature', 'its signature does not verify with the provider keys', err)
    if (err instanceof errors.JWTExpired) throw fail('expired', 'it has expired', err)
    if (err instanceof errors.JOSEAlgNotAllowed) throw fail('algorithm', 'it is not signed RS256', err)
    if (err instanceof errors.JWTClaimValidationFailed) {
      const check = err.claim === 'aud' ? 'audience' : err.claim === 'iss' ? 'issuer' : err.claim
      throw fail(check, `its ${err.claim} claim is not as expected`, err)
    }
    throw fail('malformed', 'it is not a well-formed signed JWT', err)
  }
  // Core §3.1.3.7 step 4-5: with several audiences, the authorized party must be us.
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expect.clientId) throw fail('azp', 'it was issued to another party (azp)')
  if (payload.azp !== undefined && payload.azp !== expect.clientId) throw fail('azp', 'it was issued to another party (azp)')
  if (typeof payload.nonce !== 'string' || !sameText(payload.nonce, expect.nonce)) throw fail('nonce', 'its nonce is not the one of this sign-in')
  if (typeof payload.sub !== 'string' || payload.sub === '') throw fail('sub', 'it names no subject')
  return payload as IdTokenClaims
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
