import { createHmac, generateKeyPairSync } from 'node:crypto'
import { createLocalJWKSet, exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { signJwt } from '../../sandbox/oidc/jwt.js'
import type { OidcSigningKey } from '../../sandbox/oidc/signing-key.js'
import { validateIdToken } from './validate-id-token.js'

const ISSUER = 'https://idp.test/auth/realms/healthcare'
const NOW = new Date(Date.UTC(2026, 10, 23, 9, 0, 0))

async function signer(): Promise<{ key: OidcSigningKey; keys: ReturnType<typeof createLocalJWKSet> }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const key = { privateKey, publicKey, kid: 'k1', jwk } as unknown as OidcSigningKey
  return { key, keys: createLocalJWKSet({ keys: [jwk] }) }
}

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(NOW.getTime() / 1000)
  return { iss: ISSUER, sub: 'user-1', aud: 'ehealth-agent', azp: 'ehealth-agent', iat, exp: iat + 300, nonce: 'nonce-1', ...extra }
}

describe('validateIdToken (OpenID Connect Core §3.1.3.7, with jose)', () => {
  it('accepts a token of the provider for us, for this request', async () => {
    const { key, keys } = await signer()
    const token = await validateIdToken(signJwt(key, claims({ name: 'Anne Janssens' })), { issuer: ISSUER, clientId: 'ehealth-agent', nonce: 'nonce-1', keys, now: NOW })
    expect(token).toMatchObject({ sub: 'user-1', name: 'Anne Janssens' })
  })

  it('names the failed check', async () => {
    const { key, keys } = await signer()
    const expect_ = { issuer: ISSUER, clientId: 'ehealth-agent', nonce: 'nonce-1', keys, now: NOW }
    const iat = Math.floor(NOW.getTime() / 1000)
    const hs256 = (() => {
      const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
      const input = `${enc({ alg: 'HS256', kid: 'k1' })}.${enc(claims())}`
      return `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`
    })()
    const cases: [string | undefined, string][] = [
      [undefined, 'missing'],
      ['not.a.jwt', 'malformed'],
      [hs256, 'algorithm'],
      [signJwt(key, claims({ iss: 'https://evil.test/' })), 'issuer'],
      [signJwt(key, claims({ aud: 'other', azp: 'other' })), 'audience'],
      [signJwt(key, claims({ aud: ['ehealth-agent', 'other'], azp: 'other' })), 'azp'],
      [signJwt(key, claims({ iat: iat - 3600, exp: iat - 600 })), 'expired'],
      [signJwt(key, claims({ nonce: undefined })), 'nonce'],
      [signJwt(key, claims({ nonce: 'nonce-2' })), 'nonce'],
      [signJwt({ ...key, kid: 'unknown' }, claims()), 'signature'],
    ]
    for (const [token, check] of cases) {
      await expect(validateIdToken(token, expect_), check).rejects.toMatchObject({ reason: 'id-token-invalid', code: 'ERR_TOKEN_INVALID', data: { check } })
    }
  })
})
