import { verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSessionKeySource, SESSION_KEY_COMMON_NAME } from './session-key-source.js'

const DATA = Buffer.from('<ds:SignedInfo>hok</ds:SignedInfo>')

describe('session key source', () => {
  it('generates an RSA-2048 key and a short-lived self-signed certificate at login, and signs with it', async () => {
    const now = Date.UTC(2025, 0, 10, 9, 0, 0)
    const source = createSessionKeySource({ now: () => now })
    expect(source.kind).toBe('session')
    expect(await source.loginRequirement()).toEqual({ secret: 'none' })
    expect(source.loginState()).toBe('logged-out')
    await source.login(undefined)
    expect(source.loginState()).toBe('logged-in')

    const { certificate, base64 } = await source.certificate()
    expect(certificate.subject).toBe(`CN=${SESSION_KEY_COMMON_NAME}`)
    expect(certificate.issuer).toBe(certificate.subject)
    expect(certificate.verify(certificate.publicKey)).toBe(true)
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    expect(new Date(certificate.validFrom).getTime()).toBe(now - 5 * 60 * 1000)
    expect(new Date(certificate.validTo).getTime()).toBe(now + 25 * 3600 * 1000)
    expect(Buffer.from(base64, 'base64').equals(certificate.raw)).toBe(true)

    for (const hash of ['sha256', 'sha1'] as const) {
      const signature = await source.sign(DATA, hash)
      expect(verify(hash, DATA, certificate.publicKey, signature)).toBe(true)
    }
  })

  it('logout wipes the key: sign and certificate fail afterwards, the next login makes a new key', async () => {
    const source = createSessionKeySource()
    await source.login(undefined)
    const first = await source.certificate()
    await source.logout()
    expect(source.loginState()).toBe('logged-out')
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ name: 'AgentError', code: 'ERR_NOT_LOGGED_IN' })
    await expect(source.certificate()).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    await source.login(undefined)
    const second = await source.certificate()
    expect(second.base64).not.toBe(first.base64)
    await source.close()
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
  })

  it('concurrent logins share one generation', async () => {
    const source = createSessionKeySource()
    await Promise.all([source.login(undefined), source.login(undefined), source.login(undefined)])
    const { base64 } = await source.certificate()
    await source.login(undefined)
    expect((await source.certificate()).base64).toBe(base64)
  })

  it('a logout during generation cancels it: the key does not come back', async () => {
    const source = createSessionKeySource()
    const login = source.login(undefined)
    await source.logout()
    await expect(login).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    expect(source.loginState()).toBe('logged-out')
  })
})
