import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The RS256 key IAM Connect signs its ID and access tokens with, and its public JWK. */
export interface OidcSigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  /** RFC 7638 JWK thumbprint, the `kid` of every token and of the JWKS entry. */
  kid: string
  /** The JWKS entry (RFC 7517 §4, RFC 7518 §6.3.1). */
  jwk: { kty: 'RSA'; n: string; e: string; kid: string; alg: 'RS256'; use: 'sig' }
}

export const SIGNING_KEY_FILE = 'signing-key.pem'

/**
 * The provider's signing key in `<dir>/signing-key.pem`, generated on first use and kept, like the
 * sandbox PKI beside it: a restarted sandbox keeps its JWKS, so an agent's cached keys stay valid.
 * The file is private (0600 in a 0700 directory). Two sandboxes starting at once on the same state
 * directory agree on one key: the file appears with link(2), which fails if another got there first,
 * and the loser reads the winner's key.
 */
export function loadOrCreateSigningKey(dir: string): OidcSigningKey {
  const path = join(dir, SIGNING_KEY_FILE)
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const staging = join(dir, `.${SIGNING_KEY_FILE}-${process.pid}-${Date.now()}`)
    writeFileSync(staging, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
    try {
      linkSync(staging, path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      unlinkSync(staging)
    }
  }
  return describeKey(createPrivateKey(readFileSync(path)))
}

function describeKey(privateKey: KeyObject): OidcSigningKey {
  const publicKey = createPublicKey(privateKey)
  const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string }
  // RFC 7638 §3.2: the required members, lexicographic order, no whitespace.
  const kid = createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url')
  return { privateKey, publicKey, kid, jwk: { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' } }
}
