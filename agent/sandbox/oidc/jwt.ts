import { sign, verify } from 'node:crypto'
import type { OidcSigningKey } from './signing-key.js'

/** JWT claims as the provider writes and reads them. */
export type JwtClaims = Record<string, unknown>

/**
 * A JWS compact serialization (RFC 7515 §7.1) of `claims`, RS256 (RFC 7518 §3.3) with the
 * provider key. Written by hand with node:crypto rather than with jose, which the agent uses to
 * validate: the two sides then share no JWT code, so a bug in one is not mirrored by the other
 * (independent verification).
 */
export function signJwt(key: OidcSigningKey, claims: JwtClaims, typ = 'JWT'): string {
  const header = encode({ alg: 'RS256', typ, kid: key.kid })
  const payload = encode(claims)
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`, 'ascii'), key.privateKey)
  return `${header}.${payload}.${signature.toString('base64url')}`
}

/**
 * The claims of a token this provider signed (its own access tokens, an `id_token_hint`), or
 * undefined when it is not one: not three parts, another algorithm, type or key, or a signature
 * that does not verify. Times are the caller's to check.
 */
export function readOwnJwt(key: OidcSigningKey, token: unknown, typ: string): JwtClaims | undefined {
  if (typeof token !== 'string' || token.length > 16 * 1024) return undefined
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  const [h, p, s] = parts as [string, string, string]
  const header = decode(h)
  if (!header || header.alg !== 'RS256' || header.typ !== typ || header.kid !== key.kid) return undefined
  if (!verify('sha256', Buffer.from(`${h}.${p}`, 'ascii'), key.publicKey, Buffer.from(s, 'base64url'))) return undefined
  return decode(p)
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

function decode(part: string): JwtClaims | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JwtClaims) : undefined
  } catch {
    return undefined
  }
}
