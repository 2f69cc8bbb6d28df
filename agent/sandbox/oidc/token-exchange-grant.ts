import type { IamConnectProvider } from './iam-connect-provider.js'
import { issueExchangedAssertion } from './issue-exchanged-assertion.js'
import { oauthError, TOKEN_TYPES, type OAuthAnswer } from './oauth-names.js'
import { readAccessToken } from './read-access-token.js'
import type { EndpointUrls } from './token-endpoint.js'
import { verifyHokProof } from './verify-hok-proof.js'

/**
 * The token exchange (RFC 8693) from an IAM Connect access token to a SAML 1.1 holder-of-key
 * token for the profile of the sign-in (IAM eXchange Annex A §1.5, "the Token Exchange Service").
 * The request (every parameter required; see README.md):
 *
 *     grant_type=urn:ietf:params:oauth:grant-type:token-exchange
 *     client_id=ehealth-agent
 *     subject_token=<the access token>
 *     subject_token_type=urn:ietf:params:oauth:token-type:access_token
 *     requested_token_type=urn:ietf:params:oauth:token-type:saml1
 *     actor_token=<holder-of-key proof JWT, see verify-hok-proof.ts>
 *     actor_token_type=urn:ietf:params:oauth:token-type:jwt
 *
 * The actor token stands for "the acting party" (RFC 8693 §2.1): whoever holds the key the SAML
 * token binds, i.e. the one "authorized to use the requested security token". Every refusal is
 * `invalid_request`, as RFC 8693 §2.2.2 requires for an unacceptable subject or actor token.
 * The answer (RFC 8693 §2.2.1): `access_token` = BASE64URL(assertion XML), `issued_token_type`
 * saml1, `token_type` `N_A` (not an OAuth access token), `expires_in`.
 */
export async function handleTokenExchange(provider: IamConnectProvider, form: URLSearchParams, urls: EndpointUrls, clientId: string): Promise<OAuthAnswer> {
  if (form.get('subject_token_type') !== TOKEN_TYPES.accessToken) return oauthError('invalid_request', `subject_token_type must be ${TOKEN_TYPES.accessToken}`)
  if (form.get('requested_token_type') !== TOKEN_TYPES.saml1) return oauthError('invalid_request', `requested_token_type must be ${TOKEN_TYPES.saml1}`)
  if (form.get('actor_token_type') !== TOKEN_TYPES.jwt) return oauthError('invalid_request', `actor_token_type must be ${TOKEN_TYPES.jwt}`)
  const subjectToken = form.get('subject_token') ?? ''
  const subject = readAccessToken(provider, urls.issuer, subjectToken)
  if (!subject) return oauthError('invalid_request', 'the subject_token is not a valid, live access token of this provider')
  if (subject.clientId !== clientId) return oauthError('invalid_request', 'the subject_token was issued to another client')
  const choice = subject.session.choice
  if (!choice) return oauthError('invalid_request', 'no profile was chosen in this session')

  const proof = await verifyHokProof(provider, form.get('actor_token'), { audience: urls.tokenEndpoint, clientId, subjectToken })
  if (!proof.ok) return oauthError('invalid_request', proof.description)

  // Never past the sign-in session (IAM eXchange Annex A §1.4: honoured while the user is
  // authenticated at the provider) nor past the certificate the token binds.
  const now = provider.now()
  const notOnOrAfter = new Date(Math.min(now + provider.options.exchangedTokenTtlMs, subject.session.expiresAt, Date.parse(proof.certificate.validTo)))
  const outcome = issueExchangedAssertion(provider.state, {
    ssin: subject.session.ssin,
    choice,
    issuer: urls.issuer,
    hokCertificate: proof.certificate,
    notOnOrAfter,
  })
  if (outcome.kind === 'denied') return oauthError('invalid_request', outcome.message)
  return {
    status: 200,
    body: {
      access_token: Buffer.from(outcome.assertionXml, 'utf8').toString('base64url'),
      issued_token_type: TOKEN_TYPES.saml1,
      token_type: 'N_A',
      expires_in: Math.max(0, Math.floor((outcome.notOnOrAfter.getTime() - now) / 1000)),
    },
  }
}
