import { createHash, randomBytes } from 'node:crypto'

/** 256 random bits, base64url: `state`, `nonce`, proof ids (RFC 6749 §10.10: unguessable). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url')
}

/** A PKCE pair (RFC 7636 §4.1-4.2): a 43-character verifier and its S256 challenge. */
export interface PkcePair {
  verifier: string
  challenge: string
}

export function createPkcePair(random: () => string = randomSecret): PkcePair {
  const verifier = random()
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw new Error('a PKCE verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)')
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') }
}
