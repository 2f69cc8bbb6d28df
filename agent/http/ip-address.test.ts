import { describe, expect, it } from 'vitest'
import { canonicalIpAddress, formatIpAddress, isLoopbackAddress, parseIpAddress } from './ip-address.js'

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '::ffff:127.0.0.1', '::ffff:127.9.8.7', '::FFFF:7f00:1', '0:0:0:0:0:0:0:1', '[::1]'])(
    'accepts %s',
    (address) => expect(isLoopbackAddress(address)).toBe(true),
  )

  it.each(['192.168.1.5', '10.0.0.1', '0.0.0.0', '::', '::2', 'fe80::1%lo', '::ffff:192.168.1.5', '::127.0.0.1', '128.0.0.1', '0127.0.0.1', '127.0.0', 'localhost', '', 'x'])(
    'refuses %j',
    (address) => expect(isLoopbackAddress(address)).toBe(false),
  )
})

describe('parseIpAddress / formatIpAddress', () => {
  it('formats IPv6 as RFC 5952 and IPv4-mapped as dotted IPv4', () => {
    expect(canonicalIpAddress('0:0:0:0:0:0:0:1')).toBe('::1')
    expect(canonicalIpAddress('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1')
    expect(canonicalIpAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1')
    expect(canonicalIpAddress('::ffff:7f00:1')).toBe('127.0.0.1')
    expect(canonicalIpAddress('::ffff:127.0.0.1')).toBe('127.0.0.1')
    expect(canonicalIpAddress('::')).toBe('::')
    expect(canonicalIpAddress('fe80::1%eth0')).toBe('fe80::1')
  })

  it('refuses malformed text', () => {
    for (const text of ['1::2::3', ':1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', '1.2.3.4::', '256.0.0.1', '::ffff:1.2.3', 'g::1']) {
      expect(parseIpAddress(text), text).toBeUndefined()
    }
  })

  it('round-trips bytes', () => {
    const bytes = parseIpAddress('2001:db8::ff00:42:8329')!
    expect(bytes).toHaveLength(16)
    expect(formatIpAddress(bytes)).toBe('2001:db8::ff00:42:8329')
    expect(Array.from(parseIpAddress('10.1.2.3')!)).toEqual([10, 1, 2, 3])
  })
})
