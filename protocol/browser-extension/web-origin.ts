/**
 * The websites the browser extension may sign for: exact web origins (RFC 6454 §6.2, the ASCII
 * serialization a browser sends), one per entry, no wildcard of any kind. Shared by the agent's
 * settings (`allowedWebOrigins`) and the deployment of the extension's manifest
 * (`externally_connectable.matches`), which must name the same origins.
 *
 * @module
 */

/** Hosts for which plain http is accepted: the machine itself (RFC 6761 §6.3 for localhost). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Why `text` is not an allowed web origin, or undefined when it is one: `https://host[:port]`, or
 * `http://localhost:port` (also 127.0.0.1 and [::1]) with an explicit port, exactly as a browser
 * writes it (lower case, no default port, no path, no trailing slash).
 *
 * @example
 * ```ts
 * checkWebOrigin('https://app.example.be')   // undefined: allowed
 * checkWebOrigin('http://127.0.0.1:*')       // 'a wildcard …'
 * ```
 */
export function checkWebOrigin(text: string): string | undefined {
  if (text.includes('*')) return 'a wildcard is not allowed: name each origin exactly (scheme, host and port)'
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'not a URL: write the origin as https://host or https://host:port'
  }
  if (url.origin !== text) return `not an origin as a browser writes it: did you mean ${url.origin === 'null' ? 'https://host' : url.origin}?`
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) return 'plain http is allowed only for this computer (localhost, 127.0.0.1, [::1]); use https'
    if (url.port === '') return 'a loopback origin needs its exact port (http://localhost:8443): any other program may listen on another one'
    return undefined
  }
  return 'only https (or http on this computer) origins can use the extension'
}

/** The `externally_connectable.matches` pattern that lets exactly this origin's pages in. */
export function matchPatternFor(origin: string): string {
  return `${origin}/*`
}
