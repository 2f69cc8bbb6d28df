/** A client registered at the sandbox's IAM Connect. */
export interface OidcClient {
  clientId: string
  /** Shown on the consent page (IAM eXchange Annex A §1.4: "inform the user of the trusted platform identity"). */
  name: string
  /** What the client does with the access, in the user's words, for the consent page. */
  purpose: string
  /**
   * Registered redirect URIs. A loopback IP literal (`http://127.0.0.1/...`, `http://[::1]/...`)
   * matches any port (RFC 8252 §7.3); anything else must match exactly.
   */
  redirectUris: readonly string[]
}

/**
 * The one client the sandbox knows: the agent, a native app, hence a public client with PKCE
 * (RFC 8252 §8.4, §8.1) and a loopback redirect. IAM eXchange Annex A §1.3 makes a trusted platform
 * a confidential client; an agent installed on each user's computer cannot keep a client secret
 * (RFC 8252 §8.5), so the sandbox models the native-app registration instead.
 */
export const AGENT_CLIENT: OidcClient = {
  clientId: 'ehealth-agent',
  name: 'ehealth-agent (the eHealth agent on this computer)',
  purpose:
    'obtain eHealth session tokens (SAML holder-of-key) in your name and with the profile you choose, so that the practice software on this computer can call eHealth services for you. ' +
    'Medical data those services return passes through the agent on this computer and is not stored by it.',
  redirectUris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
}

export const OIDC_CLIENTS: readonly OidcClient[] = [AGENT_CLIENT]

export function findClient(clientId: unknown): OidcClient | undefined {
  return typeof clientId === 'string' ? OIDC_CLIENTS.find((c) => c.clientId === clientId) : undefined
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]'])

/**
 * Does `requested` match one of the client's registered redirect URIs? Exact string comparison
 * (RFC 6749 §3.1.2.3, OAuth 2.0 Security BCP RFC 9700 §4.1.3), except that for a loopback IP
 * literal over http the port may differ (RFC 8252 §7.3: the app picks an ephemeral port at run
 * time). `localhost` is not a loopback literal here (RFC 8252 §8.3: it may resolve elsewhere).
 */
export function matchRedirectUri(client: OidcClient, requested: unknown): string | undefined {
  if (typeof requested !== 'string' || requested.length > 2048) return undefined
  if (client.redirectUris.includes(requested)) return requested
  let url: URL
  try {
    url = new URL(requested)
  } catch {
    return undefined
  }
  // A fragment is forbidden (RFC 6749 §3.1.2); userinfo in a redirect is never legitimate.
  if (url.hash !== '' || requested.includes('#') || url.username !== '' || url.password !== '') return undefined
  // Only the canonical spelling: no dot segments, escapes or default ports that a browser would rewrite.
  if (url.href !== requested) return undefined
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return undefined
  for (const registered of client.redirectUris) {
    const r = new URL(registered)
    if (r.protocol === url.protocol && r.hostname === url.hostname && r.pathname === url.pathname && r.search === url.search) return requested
  }
  return undefined
}
