import { describe, expect, it } from 'vitest'
import { maskProxy, maskProxyText, parseProxyUrl } from './proxy-url.js'
import { describeProxyPlan, proxyLayers, readProxyEnvironment, resolveProxyPlan, type ProxyEnvironment, type ProxySettings } from './resolve-proxy.js'

const plan = (settings: ProxySettings, environment: ProxyEnvironment = {}, commandLine?: string) => {
  const layers = proxyLayers({ settings, environment, ...(commandLine !== undefined ? { commandLine } : {}) })
  const resolved = resolveProxyPlan(layers)
  return { ...resolved, line: describeProxyPlan(resolved, layers) }
}

describe('parseProxyUrl and masking', () => {
  it('reads http(s) proxies, a bare host:port, percent-encoded credentials; default ports as curl', () => {
    expect(parseProxyUrl('http://proxy.hospital.example:3128')).toEqual({ origin: 'http://proxy.hospital.example:3128', username: undefined, password: undefined })
    expect(parseProxyUrl('proxy.hospital.example:8080')).toMatchObject({ origin: 'http://proxy.hospital.example:8080' })
    expect(parseProxyUrl('http://proxy:80')).toMatchObject({ origin: 'http://proxy:80' })
    expect(parseProxyUrl('proxy')).toMatchObject({ origin: 'http://proxy:1080' })
    expect(parseProxyUrl('https://proxy')).toMatchObject({ origin: 'https://proxy:443' })
    expect(parseProxyUrl('http://[fd00::1]:3128/')).toMatchObject({ origin: 'http://[fd00::1]:3128' })
    expect(parseProxyUrl('http://HOSP%5Calice:p%40ss%3Aw0rd@proxy:3128')).toEqual({ origin: 'http://proxy:3128', username: 'HOSP\\alice', password: 'p@ss:w0rd' })
  })

  it('refuses what is not an HTTP proxy, saying what is accepted', () => {
    expect(parseProxyUrl('socks5://proxy:1080')).toEqual({ error: expect.stringMatching(/^socks5 proxies are not supported/) })
    expect(parseProxyUrl('http://proxy:3128/path')).toEqual({ error: expect.stringMatching(/no path/) })
    expect(parseProxyUrl('')).toEqual({ error: 'it is empty' })
    expect(parseProxyUrl('http://')).toHaveProperty('error')
  })

  it('shows the user name, never the password', () => {
    expect(maskProxy({ origin: 'http://proxy:3128', username: 'HOSP\\alice', password: 'p@ss' })).toBe('http://HOSP%5Calice:***@proxy:3128')
    expect(maskProxy({ origin: 'http://proxy:3128', username: undefined, password: undefined })).toBe('http://proxy:3128')
    expect(maskProxyText('http://alice:s3cret@proxy:3128')).toBe('http://alice:***@proxy:3128')
    expect(maskProxyText('alice:s3cret@proxy:3128')).toBe('alice:***@proxy:3128')
    expect(maskProxyText('http://proxy:3128')).toBe('http://proxy:3128')
  })
})

describe('resolveProxyPlan: --proxy, then the settings, then the environment', () => {
  const env: ProxyEnvironment = { HTTPS_PROXY: 'http://env-proxy:3128', HTTP_PROXY: 'http://env-http:3128', NO_PROXY: '.intranet' }

  it('the environment alone: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY', () => {
    const p = plan({}, env)
    expect(p.https).toMatchObject({ source: 'environment', display: 'http://env-proxy:3128' })
    expect(p.http).toMatchObject({ source: 'environment', display: 'http://env-http:3128' })
    expect(p.noProxySource).toBe('environment')
    expect(p.line).toBe('http://env-proxy:3128 (from HTTPS_PROXY); http://env-http:3128 for http:// (from HTTP_PROXY); not for .intranet (from NO_PROXY)')
  })

  it('lower-case variables win over upper-case ones, as curl reads them', () => {
    expect(plan({}, { ...env, https_proxy: 'http://lower:1' }).https).toMatchObject({ display: 'http://lower:1' })
    expect(plan({}, { ...env, https_proxy: 'http://lower:1' }).line).toMatch(/\(from https_proxy\)/)
  })

  it('the setting wins over the environment (for both schemes), and its noProxy over NO_PROXY ("" included)', () => {
    const p = plan({ proxy: 'http://setting:8080', noProxy: '' }, env)
    expect(p.https).toMatchObject({ source: 'setting', display: 'http://setting:8080' })
    expect(p.http).toMatchObject({ source: 'setting' })
    expect(p.noProxy).toEqual({ all: false, entries: [] })
    expect(p.noProxySource).toBe('setting')
  })

  it('--proxy wins over both', () => {
    expect(plan({ proxy: 'http://setting:8080' }, env, 'http://cli:9000').https).toMatchObject({ source: 'command-line', display: 'http://cli:9000' })
    expect(plan({ proxy: 'http://setting:8080' }, env, 'http://cli:9000').line).toMatch(/^http:\/\/cli:9000 \(from --proxy\)/)
  })

  it('credentials: those in the URL, else proxyUsername/proxyPassword from the settings, whichever layer named the proxy', () => {
    expect(plan({ proxy: 'http://bob:in-url@setting:8080', proxyUsername: 'alice', proxyPassword: 'x' }).https?.endpoint).toMatchObject({ username: 'bob', password: 'in-url' })
    const fromSettings = plan({ proxyUsername: 'alice', proxyPassword: 'pw' }, env)
    expect(fromSettings.https).toMatchObject({ source: 'environment', endpoint: { username: 'alice', password: 'pw' }, display: 'http://alice:***@env-proxy:3128' })
    expect(fromSettings.line).not.toContain('pw')
  })

  it('no proxy anywhere: direct, and the line says which settings were looked at', () => {
    const p = plan({}, {})
    expect(p.https).toBeUndefined()
    expect(p.line).toMatch(/^direct \(no proxy: neither --proxy, the setting "proxy" nor HTTPS_PROXY is set\)$/)
  })

  it('a broken value is ERR_CONFIG_INVALID naming its source, with the password masked', () => {
    const err = (() => {
      try {
        plan({}, { HTTPS_PROXY: 'socks5://alice:s3cret@proxy:1080' })
      } catch (e) {
        return e as Error & { code: string }
      }
    })()
    expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/^HTTPS_PROXY is not a usable proxy \(socks5:\/\/alice:\*\*\*@proxy:1080\): socks5 proxies are not supported/) })
    expect(err!.message).not.toContain('s3cret')
  })

  it('readProxyEnvironment takes the six variables and nothing else', () => {
    expect(readProxyEnvironment({ HTTPS_PROXY: 'a', no_proxy: 'b', PATH: '/bin', ALL_PROXY: 'c' })).toEqual({ HTTPS_PROXY: 'a', no_proxy: 'b' })
  })
})
