import { AgentError, isAgentError } from '../../../protocol/errors.js'
import type { HttpFetch } from '../../http-transport.js'
import { IamConnectError } from './iam-connect-error.js'

/** Fetch as the agent injects it (the agent's HTTP client, agent/net/http-client.ts; a wrapper in tests). */
export type { HttpFetch }

/** The endpoints the agent uses, from the discovery document. */
export interface ProviderMetadata {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  jwksUri: string
  endSessionEndpoint: string | undefined
  userinfoEndpoint: string | undefined
  /** RFC 9207: the provider adds `iss` to its redirects, so the agent must find it there. */
  issParameterSupported: boolean
}

/**
 * Read the provider's discovery document (OpenID Connect Discovery 1.0 §4): its `issuer` must be
 * exactly the configured one (§4.3, against a substituted provider), the endpoints absolute URLs
 * on https (or http on loopback, for the sandbox), S256 PKCE and the token-exchange grant offered.
 */
export async function fetchProviderMetadata(issuer: string, http: HttpFetch): Promise<ProviderMetadata> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  const doc = await fetchJson(http, url, 'discovery document')
  const invalid = (detail: string) => new IamConnectError('provider-invalid', `the IAM Connect discovery document is not usable: ${detail}`, { detail })
  if (doc.issuer !== issuer) throw invalid('its issuer is not the configured issuer')
  const endpoint = (name: string, required: boolean): string | undefined => {
    const value = doc[name]
    if (value === undefined && !required) return undefined
    if (typeof value !== 'string' || !isAcceptableUrl(value)) throw invalid(`${name} is missing or not an https URL`)
    return value
  }
  const methods = doc.code_challenge_methods_supported
  if (Array.isArray(methods) && !methods.includes('S256')) throw invalid('it does not offer PKCE S256')
  return {
    issuer,
    authorizationEndpoint: endpoint('authorization_endpoint', true)!,
    tokenEndpoint: endpoint('token_endpoint', true)!,
    jwksUri: endpoint('jwks_uri', true)!,
    endSessionEndpoint: endpoint('end_session_endpoint', false),
    userinfoEndpoint: endpoint('userinfo_endpoint', false),
    issParameterSupported: doc.authorization_response_iss_parameter_supported === true,
  }
}

/** https anywhere; plain http only to a loopback address (the sandbox, RFC 8252 §8.3's spirit). */
export function isAcceptableUrl(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  if (url.protocol === 'https:') return true
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost')
}

/** GET a JSON object, mapping transport failures to ERR_NETWORK (or the client's ERR_PROXY, ERR_TLS, ERR_TIMEOUT) and anything else to provider-invalid. */
export async function fetchJson(http: HttpFetch, url: string, what: string): Promise<Record<string, unknown>> {
  let res: Response
  try {
    res = await http(url, { headers: { Accept: 'application/json' }, redirect: 'error' })
  } catch (err) {
    // The client already said whose fault it is (the proxy, TLS, the deadline): keep that.
    if (isAgentError(err) && err.code !== 'ERR_NETWORK') throw err
    throw new AgentError('ERR_NETWORK', `could not reach IAM Connect for its ${what}`, { detail: err instanceof Error ? err.message : 'fetch failed' }, { cause: err })
  }
  const body: unknown = await res.json().catch(() => undefined)
  if (!res.ok || typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new IamConnectError('provider-invalid', `IAM Connect answered its ${what} with HTTP ${res.status}`, { status: res.status })
  }
  return body as Record<string, unknown>
}
