import { describe, expect, it } from 'vitest'
import { readHostRequest } from './read-host-request.js'

const envelope = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>'
const good = { jsonrpc: '2.0', id: 3, method: 'soap.sign', params: { envelope }, origin: 'https://app.example.be' }

function refusal(value: unknown) {
  const read = readHostRequest(value)
  if (read.ok) throw new Error('expected a refusal')
  return { id: read.id, code: read.error.code, data: read.error.data }
}

describe('readHostRequest', () => {
  it('accepts soap.sign with the agent\'s own params and an http(s) origin', () => {
    expect(readHostRequest(good)).toEqual({ ok: true, request: { id: 3, method: 'soap.sign', params: { envelope }, origin: 'https://app.example.be' } })
    const withOptions = readHostRequest({ ...good, id: 'a', params: { envelope, profile: 'x509', algorithm: 'rsa-sha1' }, origin: 'http://127.0.0.1:8080' })
    expect(withOptions.ok).toBe(true)
  })

  it('refuses what is not a request, under id null when no id can be read', () => {
    expect(refusal('hello')).toMatchObject({ id: null, code: 'ERR_INVALID_REQUEST' })
    expect(refusal([good])).toMatchObject({ id: null, code: 'ERR_INVALID_REQUEST' })
    expect(refusal({ ...good, id: -1 })).toMatchObject({ id: null, code: 'ERR_INVALID_REQUEST' })
    expect(refusal({ ...good, jsonrpc: '1.0' })).toMatchObject({ id: 3, code: 'ERR_INVALID_REQUEST' })
  })

  it('refuses unknown members (a typo, or a smuggled credential)', () => {
    expect(refusal({ ...good, credential: 'x'.repeat(43) })).toMatchObject({ id: 3, code: 'ERR_INVALID_REQUEST' })
  })

  it('only soap.sign: pairing, revocation, the privacy log or soap.call are not for web pages', () => {
    for (const method of ['client.pair', 'client.revoke', 'audit.list', 'soap.call', 'session.logout']) {
      expect(refusal({ ...good, method })).toMatchObject({ id: 3, code: 'ERR_METHOD_NOT_FOUND' })
    }
  })

  it('validates params with the agent\'s schema: unknown keys (a PIN) and wrong types are refused', () => {
    expect(refusal({ ...good, params: { envelope, pin: '1234' } })).toMatchObject({ code: 'ERR_INVALID_PARAMS' })
    expect(refusal({ ...good, params: { envelope: 42 } })).toMatchObject({ code: 'ERR_INVALID_PARAMS' })
    expect(refusal({ ...good, params: { envelope, profile: 'root' } })).toMatchObject({ code: 'ERR_INVALID_PARAMS' })
    expect(refusal({ ...good, params: undefined })).toMatchObject({ code: 'ERR_INVALID_PARAMS' })
  })

  it('needs the page origin exactly as a browser writes it', () => {
    for (const origin of ['null', 'https://app.example.be/', 'https://app.example.be/path', 'file:///etc/passwd', 'chrome-extension://abc', 'javascript:alert(1)']) {
      expect(refusal({ ...good, origin })).toMatchObject({ id: 3, code: 'ERR_INVALID_REQUEST', data: { reason: 'origin' } })
    }
  })

  it('refuses before signing an envelope whose answer cannot fit the 1 MB native messaging limit', () => {
    const big = envelope.replace('<soapenv:Body/>', `<soapenv:Body>${'x'.repeat(1024 * 1024)}</soapenv:Body>`)
    expect(refusal({ ...good, params: { envelope: big } })).toMatchObject({ id: 3, code: 'ERR_XML_TOO_LARGE', data: { limit: 1024 * 1024, reason: 'native-messaging-limit' } })
    // JSON escaping counts: 300 000 quotes are 600 000 bytes once escaped.
    const quotes = envelope.replace('<soapenv:Body/>', `<soapenv:Body>${'"'.repeat(600_000)}</soapenv:Body>`)
    expect(quotes.length).toBeLessThan(1024 * 1024)
    expect(refusal({ ...good, params: { envelope: quotes } })).toMatchObject({ code: 'ERR_XML_TOO_LARGE' })
  })
})
