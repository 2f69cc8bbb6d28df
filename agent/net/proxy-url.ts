/** A proxy to send requests through: where it is, and the credentials it wants, kept apart. */
export interface ProxyEndpoint {
  /** `http://host:port` (or `https://`), without credentials, path or query. */
  origin: string
  username: string | undefined
  password: string | undefined
}

/**
 * Read a proxy URL as curl reads `--proxy` / `HTTPS_PROXY`: `http://host:port`, `https://host:port`
 * or a bare `host:port` (HTTP assumed), with optional `user:password@` (percent-encoded, RFC 3986
 * §3.2.1). Without a port, 443 for an https proxy and 1080 otherwise, as curl does
 * (CURLOPT_PROXYPORT(3)). SOCKS and anything else is refused. Returns
 * the error text instead of throwing so each caller names its own source (a setting, a variable,
 * the command line).
 */
export function parseProxyUrl(value: string): ProxyEndpoint | { error: string } {
  const text = value.trim()
  if (text === '') return { error: 'it is empty' }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
  let url: URL
  try {
    url = new URL(hasScheme ? text : `http://${text}`)
  } catch {
    return { error: 'it is not a URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `${url.protocol.slice(0, -1)} proxies are not supported, only HTTP ones` }
  }
  if (url.hostname === '') return { error: 'it names no host' }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return { error: 'a proxy URL has no path or query' }
  }
  // The URL parser drops a port equal to the scheme's default (http://proxy:80), so read it from the text.
  const explicit = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/]*):(\d+)/i.exec(text)?.[1]
  const port = explicit !== undefined ? String(Number(explicit)) : url.protocol === 'https:' ? '443' : '1080'
  let username: string | undefined
  let password: string | undefined
  try {
    username = url.username === '' ? undefined : decodeURIComponent(url.username)
    password = url.password === '' ? undefined : decodeURIComponent(url.password)
  } catch {
    return { error: 'its user name or password is not valid percent-encoding' }
  }
  return { origin: `${url.protocol}//${url.hostname}:${port}`, username, password }
}

/**
 * How a proxy is shown anywhere a person or a log can see it (doctor, banner, errors, pages):
 * the origin, and the user name with the password replaced by `***`. The password itself is
 * never rendered.
 */
export function maskProxy(proxy: ProxyEndpoint): string {
  if (proxy.username === undefined && proxy.password === undefined) return proxy.origin
  const scheme = proxy.origin.slice(0, proxy.origin.indexOf('//') + 2)
  const user = proxy.username === undefined ? '' : encodeURIComponent(proxy.username)
  return `${scheme}${user}${proxy.password === undefined ? '' : ':***'}@${proxy.origin.slice(scheme.length)}`
}

/**
 * A proxy URL as given (a setting, a variable) with its password masked, for a message about a
 * value that could not be parsed: whatever follows `:` in the part before `@` is hidden.
 */
export function maskProxyText(value: string): string {
  return value.replace(/^([^/]*\/\/)?([^@/:]*):([^@/]*)@/, (_m, scheme: string | undefined, user: string) => `${scheme ?? ''}${user}:***@`)
}
