/**
 * The request target exactly as the request line carried it (`/rpc`, `http://evil.test:4752/rpc`,
 * `*`), from the Node request in the bindings @hono/node-server passes as `c.env`; undefined when
 * there is none (a request built in-process, not read from a socket).
 */
export function readRequestTarget(env: unknown): string | undefined {
  if (typeof env !== 'object' || env === null) return undefined
  const bindings = (env as { server?: unknown }).server ?? env
  const incoming = (bindings as { incoming?: { url?: unknown } }).incoming
  return typeof incoming?.url === 'string' ? incoming.url : undefined
}

/**
 * True for origin-form (RFC 9112 §3.2.1: absolute-path, `1*( "/" segment )` with segments that may
 * be empty, so `//x` too, and an optional query), the only form a
 * client sends to a server that is not a proxy. Absolute-form names its own host, which a server
 * must then use instead of Host (RFC 9112 §3.2.2), authority-form is for CONNECT, asterisk-form
 * for a server-wide OPTIONS.
 */
export function isOriginForm(target: string): boolean {
  return target.startsWith('/')
}
