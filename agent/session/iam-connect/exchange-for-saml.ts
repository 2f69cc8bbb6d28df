import type { KeySource } from '../../keys/key-source.js'
import { IamConnectError } from './iam-connect-error.js'
import { buildHokProof } from './hok-proof.js'
import type { HttpFetch } from './provider-metadata.js'
import { postTokenRequest } from './token-request.js'

/** The names of the token exchange (RFC 8693 §2.1, §3). */
export const TOKEN_EXCHANGE = {
  grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
  accessTokenType: 'urn:ietf:params:oauth:token-type:access_token',
  jwtType: 'urn:ietf:params:oauth:token-type:jwt',
  /** RFC 8693 §3: "a base64url-encoded SAML 1.1 assertion". */
  saml1Type: 'urn:ietf:params:oauth:token-type:saml1',
} as const

export interface ExchangeInput {
  tokenEndpoint: string
  clientId: string
  accessToken: string
  holderOfKey: KeySource
  now: Date
  /** The proof's `jti`: fresh and unique for each exchange. */
  jti: string
}

/**
 * Exchange the IAM Connect access token for a SAML 1.1 holder-of-key assertion bound to the HOK
 * key (IAM eXchange Annex A §1.5, "the Token Exchange Service"; the request is the sandbox's model,
 * README of agent/sandbox/oidc):
 *
 *     grant_type=urn:ietf:params:oauth:grant-type:token-exchange
 *     client_id=<client id>
 *     subject_token=<access token>
 *     subject_token_type=urn:ietf:params:oauth:token-type:access_token
 *     requested_token_type=urn:ietf:params:oauth:token-type:saml1
 *     actor_token=<buildHokProof(...)>
 *     actor_token_type=urn:ietf:params:oauth:token-type:jwt
 *
 * Returns the assertion XML, unchecked: the Session checks it (trusted STS signature, validity,
 * bound to our key) before anyone uses it. A refusal is `exchange-refused` with the provider's
 * OAuth error in `data`.
 */
export async function exchangeForSaml(http: HttpFetch, input: ExchangeInput): Promise<string> {
  const proof = await buildHokProof({
    key: input.holderOfKey,
    clientId: input.clientId,
    audience: input.tokenEndpoint,
    subjectToken: input.accessToken,
    now: input.now,
    jti: input.jti,
  })
  const body = await postTokenRequest(
    http,
    input.tokenEndpoint,
    {
      grant_type: TOKEN_EXCHANGE.grantType,
      client_id: input.clientId,
      subject_token: input.accessToken,
      subject_token_type: TOKEN_EXCHANGE.accessTokenType,
      requested_token_type: TOKEN_EXCHANGE.saml1Type,
      actor_token: proof,
      actor_token_type: TOKEN_EXCHANGE.jwtType,
    },
    'exchange-refused',
  )
  if (body.issued_token_type !== TOKEN_EXCHANGE.saml1Type) throw new IamConnectError('provider-invalid', 'the token exchange did not issue a SAML 1.1 token')
  if (typeof body.access_token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(body.access_token)) {
    throw new IamConnectError('provider-invalid', 'the token exchange answer does not hold a base64url token')
  }
  return Buffer.from(body.access_token, 'base64url').toString('utf8')
}
