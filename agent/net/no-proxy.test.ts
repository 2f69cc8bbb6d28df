import { describe, expect, it } from 'vitest'
import { isLoopbackHost, matchesNoProxy, parseNoProxy } from './no-proxy.js'

const bypass = (list: string, host: string, port = 443) => matchesNoProxy(parseNoProxy(list), host, port)

describe('NO_PROXY as curl documents it (CURLOPT_NOPROXY)', () => {
  it('a name matches itself and the names under it, never a longer name that merely ends the same', () => {
    // curl's own example: "ample.com" matches ample.com, ample.com:80 and www.ample.com, not www.example.com.
    expect(bypass('ample.com', 'ample.com')).toBe(true)
    expect(bypass('ample.com', 'ample.com', 80)).toBe(true)
    expect(bypass('ample.com', 'www.ample.com')).toBe(true)
    expect(bypass('ample.com', 'www.example.com')).toBe(false)
    expect(bypass('ample.com', 'ample.com.org')).toBe(false)
  })

  it('a leading dot (and a trailing one) changes nothing; case does not matter', () => {
    expect(bypass('.ehealth.fgov.be', 'services.ehealth.fgov.be')).toBe(true)
    expect(bypass('.ehealth.fgov.be', 'ehealth.fgov.be')).toBe(true)
    expect(bypass('.ehealth.fgov.be', 'notehealth.fgov.be')).toBe(false)
    expect(bypass('EHealth.FGOV.be.', 'services.ehealth.fgov.be.')).toBe(true)
  })

  it('a comma list, blanks around the entries ignored; empty entries skipped', () => {
    const list = ' intranet.local ,  , .hospital.example,10.0.0.0/8 '
    expect(bypass(list, 'intranet.local')).toBe(true)
    expect(bypass(list, 'pacs.hospital.example')).toBe(true)
    expect(bypass(list, 'services.ehealth.fgov.be')).toBe(false)
  })

  it('a lone * matches everything; * inside a list is no wildcard; an empty list matches nothing', () => {
    expect(bypass('*', 'services.ehealth.fgov.be')).toBe(true)
    expect(bypass(' * ', '10.1.2.3')).toBe(true)
    expect(bypass('*.ehealth.fgov.be', 'services.ehealth.fgov.be')).toBe(false)
    expect(bypass('', 'services.ehealth.fgov.be')).toBe(false)
  })

  it('IP addresses are compared as addresses, with CIDR; never against names', () => {
    expect(bypass('192.168.0.0/16', '192.168.12.7')).toBe(true)
    expect(bypass('192.168.0.0/16', '192.169.0.1')).toBe(false)
    expect(bypass('10.1.2.3', '10.1.2.3')).toBe(true)
    expect(bypass('10.1.2.3', '10.1.2.4')).toBe(false)
    expect(bypass('fd00::/8', '[fd12::1]')).toBe(true)
    expect(bypass('fd00::1', '[fd00:0:0::1]')).toBe(true)
    expect(bypass('fd00::/8', '[fe80::1]')).toBe(false)
    expect(bypass('10.0.0.0/8', 'ten.example')).toBe(false)
    expect(bypass('example', '10.0.0.1')).toBe(false)
    expect(bypass('10.0.0.0/99', '10.0.0.1')).toBe(false)
  })

  it('an entry with a port matches that port only (our addition; curl never matches such an entry)', () => {
    expect(bypass('services.example:8443', 'services.example', 8443)).toBe(true)
    expect(bypass('services.example:8443', 'services.example', 443)).toBe(false)
    expect(bypass('[fd00::1]:8443', '[fd00::1]', 8443)).toBe(true)
    expect(bypass('[fd00::1]:8443', '[fd00::1]', 443)).toBe(false)
    expect(bypass('10.0.0.0/8:80', '10.9.9.9', 80)).toBe(true)
  })
})

describe('loopback is never proxied', () => {
  it.each(['localhost', 'LOCALHOST.', 'agent.localhost', '127.0.0.1', '127.8.9.10', '[::1]', '::1', '[::ffff:127.0.0.1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true)
  })

  it.each(['localhost.example', 'services.ehealth.fgov.be', '128.0.0.1', '[::2]', '10.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false)
  })
})
