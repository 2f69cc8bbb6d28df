import { IAM_CONNECT_ENDPOINTS } from './iam-connect-paths.js'
import { GRANT_TYPES } from './oauth-names.js'

/**
 * The provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) for `issuer`: what a client
 * reads to find every endpoint. `authorization_response_iss_parameter_supported`: the code comes
 * back with `iss` (RFC 9207), against mix-up attacks.
 */
export function buildDiscoveryDocument(issuer: string): Record<string, unknown> {
  const at = (endpoint: keyof typeof IAM_CONNECT_ENDPOINTS) => issuer + IAM_CONNECT_ENDPOINTS[endpoint]
  return {
    issuer,
    authorization_endpoint: at('authorization'),
    token_endpoint: at('token'),
    userinfo_endpoint: at('userinfo'),
    jwks_uri: at('jwks'),
    end_session_endpoint: at('endSession'),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [GRANT_TYPES.authorizationCode, GRANT_TYPES.refreshToken, GRANT_TYPES.tokenExchange],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'profile'],
    prompt_values_supported: ['login'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'amr', 'azp', 'name', 'given_name', 'family_name', 'ssin', 'ehealth_profile', 'ehealth_profile_label', 'auth_method'],
    authorization_response_iss_parameter_supported: true,
  }
}
