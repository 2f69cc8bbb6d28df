/**
 * Where the sandbox's IAM Connect lives. The realm path is the one eHealth's Keycloak uses
 * (`/auth/realms/healthcare`, as in public clients of eHealth's acceptance environment,
 * `https://api-acpt.ehealth.fgov.be/auth/realms/healthcare`); the endpoint paths below it are
 * Keycloak's standard ones. Clients find them through the discovery document, never by name.
 */
export const IAM_CONNECT_REALM_PATH = '/auth/realms/healthcare'

/** Endpoint paths relative to the realm (the issuer). */
export const IAM_CONNECT_ENDPOINTS = {
  discovery: '/.well-known/openid-configuration',
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  jwks: '/protocol/openid-connect/certs',
  endSession: '/protocol/openid-connect/logout',
  /** The login, profile and consent pages of one authorization request (Keycloak's name). */
  loginActions: '/login-actions',
} as const

/**
 * The issuer as seen by this request: the sandbox listens on a port chosen at start, so the
 * issuer is its origin plus the realm path (OpenID Connect Discovery 1.0 §4.3: the issuer in the
 * document must be the URL the client used).
 */
export function issuerOf(requestUrl: string): string {
  return new URL(requestUrl).origin + IAM_CONNECT_REALM_PATH
}

/** The absolute URL of an endpoint for this request. */
export function endpointOf(requestUrl: string, endpoint: keyof typeof IAM_CONNECT_ENDPOINTS): string {
  return issuerOf(requestUrl) + IAM_CONNECT_ENDPOINTS[endpoint]
}
