import type { HttpFetch } from './provider-metadata.js'

/**
 * Global logout at the provider (eHealth I.AM IDP v1.0; OpenID Connect RP-Initiated Logout 1.0 §2),
 * sent by the agent itself rather than through the browser: a POST to the end-session endpoint with
 * the ID token as `id_token_hint` and our `client_id`. Bounded in time: a provider that does not
 * answer must not hold up the agent's own logout. Returns whether the provider confirmed.
 */
export async function endProviderSession(http: HttpFetch, input: { endSessionEndpoint: string; idToken: string; clientId: string; timeoutMs?: number }): Promise<boolean> {
  try {
    const res = await http(input.endSessionEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ id_token_hint: input.idToken, client_id: input.clientId }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs ?? 5000),
    })
    await res.body?.cancel()
    return res.ok
  } catch {
    return false
  }
}
