/**
 * The headers every response of the agent's pages carries, refusals included. The pages take a
 * PIN and change settings, so they must never run anyone's script (there is none of ours
 * either), never be framed (clickjacking a "Allow" button), never leak their URL (the one-time
 * link) to another site, and never be kept in a cache.
 */
export const UI_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': UI_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The pages open no window and are opened by none: no opener to reach back through.
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}

/** Sets the headers on `headers` (a Response's or a hono context's). */
export function applySecurityHeaders(headers: Headers): void {
  for (const [name, value] of Object.entries(UI_SECURITY_HEADERS)) headers.set(name, value)
}
