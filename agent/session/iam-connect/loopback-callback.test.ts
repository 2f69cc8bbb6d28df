import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../../test/helpers/fake-clock.js'
import { listenForCallback } from './loopback-callback.js'

describe('the one-shot loopback listener (RFC 8252 §7.3)', () => {
  it('listens on 127.0.0.1, ignores other paths, hands over the first callback query, then stops', async () => {
    const listener = await listenForCallback({ clock: new FakeClock() })
    expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d{2,5}\/callback$/)
    const origin = new URL(listener.redirectUri).origin
    expect((await fetch(`${origin}/favicon.ico`)).status).toBe(404)
    expect((await fetch(listener.redirectUri, { method: 'POST', body: 'code=x' })).status).toBe(404)
    const page = await fetch(`${listener.redirectUri}?code=abc&state=xyz&extra=%3Cscript%3E`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'")
    const html = await page.text()
    expect(html).not.toContain('abc')
    expect(html).not.toContain('script')
    const params = await listener.received
    expect(Object.fromEntries(params)).toEqual({ code: 'abc', state: 'xyz', extra: '<script>' })
    await listener.close()
    await expect(fetch(listener.redirectUri)).rejects.toThrow()
  })

  it('gives up after the timeout with a typed error, on the injected clock', async () => {
    const clock = new FakeClock()
    const listener = await listenForCallback({ clock, timeoutMs: 60_000 })
    clock.advance(60_001)
    await expect(listener.received).rejects.toMatchObject({ reason: 'callback-timeout', code: 'ERR_USER_TIMEOUT' })
    await listener.close()
  })
})
