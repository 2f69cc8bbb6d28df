/**
 * Whether a sender's origin is one the manifest's `externally_connectable.matches` names.
 *
 * Chrome already refuses every other web page (it does not even give them `chrome.runtime`);
 * this second check keeps a mistake elsewhere (a broader `matches` added for a test, a future
 * content-script bridge) from opening the native host to every site. Only the forms the
 * manifest uses are understood: `<scheme>://<host>[:<port>]/<path>` with scheme http, https or
 * `*`, and an optional `*.` host prefix; a pattern without a port matches any port, as in Chrome.
 * Anything else matches nothing.
 */

/**
 * @param {unknown} origin `sender.origin`, set by the browser
 * @param {readonly string[]} matches the manifest's `externally_connectable.matches`
 * @returns {boolean}
 */
export function isAllowedOrigin(origin, matches) {
  if (typeof origin !== 'string') return false
  let url
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  // A bare origin only: "null", a path or credentials are not what the browser sends for a page.
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false
  return matches.some((pattern) => matchesPattern(url, pattern))
}

/** @param {URL} url @param {string} pattern */
function matchesPattern(url, pattern) {
  const parts = /^(https?|\*):\/\/(\[[0-9a-f:.]+\]|[^/:]+)(?::(\d+))?\/.*$/i.exec(pattern)
  if (!parts) return false
  const [, scheme, host, port] = parts
  if (scheme === '*' ? url.protocol !== 'http:' && url.protocol !== 'https:' : url.protocol !== `${scheme.toLowerCase()}:`) return false
  if (port !== undefined && effectivePort(url) !== port) return false
  const wanted = host.toLowerCase()
  if (wanted.startsWith('*.')) {
    const base = wanted.slice(2)
    return url.hostname === base || url.hostname.endsWith(`.${base}`)
  }
  return url.hostname === wanted
}

/** @param {URL} url */
function effectivePort(url) {
  return url.port || (url.protocol === 'https:' ? '443' : '80')
}

/**
 * The origin of the page that sent a runtime message, as the browser reported it: `sender.origin`
 * (Chrome 80+), else the origin of `sender.url`. Never anything the page put in its message: a
 * page can claim any origin in its own data, but not in the MessageSender the browser fills in.
 *
 * @param {{ origin?: unknown, url?: unknown }} sender
 * @returns {string | undefined}
 */
export function senderOrigin(sender) {
  if (typeof sender.origin === 'string') return sender.origin
  if (typeof sender.url !== 'string') return undefined
  try {
    const origin = new URL(sender.url).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}
