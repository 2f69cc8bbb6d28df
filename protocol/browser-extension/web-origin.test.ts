import { describe, expect, it } from 'vitest'
import { checkWebOrigin, matchPatternFor } from './web-origin.js'

describe('checkWebOrigin', () => {
  it('allows exact https origins and loopback http origins with their port', () => {
    for (const origin of ['https://app.example.be', 'https://app.example.be:8443', 'http://localhost:8080', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      expect(checkWebOrigin(origin), origin).toBeUndefined()
    }
  })

  it('refuses wildcards, loopback without a port, plain http elsewhere, paths and other forms', () => {
    expect(checkWebOrigin('http://127.0.0.1:*')).toMatch(/wildcard/)
    expect(checkWebOrigin('https://*.example.be')).toMatch(/wildcard/)
    expect(checkWebOrigin('http://127.0.0.1')).toMatch(/exact port/)
    expect(checkWebOrigin('http://app.example.be')).toMatch(/https/)
    expect(checkWebOrigin('https://app.example.be/')).toMatch(/did you mean https:\/\/app\.example\.be\?/)
    expect(checkWebOrigin('https://App.Example.be')).toMatch(/did you mean https:\/\/app\.example\.be/)
    expect(checkWebOrigin('https://app.example.be:443')).toMatch(/did you mean/)
    expect(checkWebOrigin('chrome-extension://genikcfmigceelnkkckhdkieobalmnob')).toBeDefined()
    expect(checkWebOrigin('null')).toMatch(/not a URL/)
    expect(checkWebOrigin('file:///tmp/x.html')).toBeDefined()
  })

  it('gives the match pattern of exactly that origin', () => {
    expect(matchPatternFor('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000/*')
  })
})
