/**
 * The exact `Host` values the agent answers to (threat T2, DNS rebinding: a page on evil.test
 * that resolves to 127.0.0.1 still sends `Host: evil.test:<port>`). Only the literal loopback
 * names with our port; never a suffix or pattern match.
 */

/** The allowed Host values for each transport, built once for the agent's port. */
export interface HostAllowlist {
  tcp: ReadonlySet<string>
  unix: ReadonlySet<string>
}

export function createHostAllowlist(port: number): HostAllowlist {
  const tcp = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
  // A Unix socket has no port, and HTTP clients speaking over one (curl --unix-socket, Node's
  // socketPath) send `Host: localhost`. No browser can open a Unix socket, so this is no
  // rebinding risk.
  const unix = new Set([...tcp, 'localhost'])
  return { tcp, unix }
}

/** True when `host` (the raw header) is allowed for a request over `transport`. */
export function isAllowedHost(allowlist: HostAllowlist, transport: 'tcp' | 'unix', host: string | undefined): boolean {
  if (host === undefined) return false
  // Host names are case-insensitive (RFC 9110 §4.2.3); nothing else is normalised.
  return allowlist[transport].has(host.toLowerCase())
}
