/** Grant types the token endpoint takes (RFC 6749 §4.1.3, §6; RFC 8693 §2.1). */
export const GRANT_TYPES = {
  authorizationCode: 'authorization_code',
  refreshToken: 'refresh_token',
  tokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
} as const

/** Token type identifiers of RFC 8693 §3. */
export const TOKEN_TYPES = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  /** "a base64url-encoded SAML 1.1 assertion" (RFC 8693 §3): the type the exchange issues. */
  saml1: 'urn:ietf:params:oauth:token-type:saml1',
} as const

/** A token-endpoint answer: JSON with its status (RFC 6749 §5.1, §5.2). */
export interface OAuthAnswer {
  status: 200 | 400 | 401
  body: Record<string, unknown>
}

export function oauthError(error: string, description: string, status: 400 | 401 = 400): OAuthAnswer {
  return { status, body: { error, error_description: description } }
}
