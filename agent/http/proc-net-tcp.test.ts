import { describe, expect, it } from 'vitest'
import { decodeProcAddress, parseProcNetTcp } from './proc-net-tcp.js'

// Captured on Linux x86_64 (little-endian) while a node:net server on 127.0.0.1:41885 served
// curl run as uid 999 from port 47390: entry 2 is the server's socket (uid 0), entry 5 curl's.
const TCP_SAMPLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
   0: 0100007F:A39D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 72542 1 00000000024c8650 100 0 0 10 0                     
   2: 0100007F:A39D 0100007F:B91E 01 00000000:00000000 00:00000000 00000000     0        0 72544 1 0000000056215c4e 20 4 30 10 -1                    
   3: 0100007F:9C43 0100007F:9E32 06 00000000:00000000 03:00001275 00000000     0        0 0 3 0000000073c6fbf0                                      
   5: 0100007F:B91E 0100007F:A39D 01 00000000:00000000 02:00001765 00000000   999        0 71402 3 0000000079bd8858 20 0 0 11 -1                     
`

// Captured the same way: a server on [::1]:35199 and its client from port 40650, then a
// dual-stack server on [::]:44027 reached from an IPv6 socket at ::ffff:127.0.0.1 port 49038.
const TCP6_SAMPLE = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:897F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 69464 1 00000000911a1ec4 100 0 0 10 0
   1: 00000000000000000000000001000000:897F 00000000000000000000000001000000:9ECA 01 00000000:00000000 00:00000000 00000000     0        0 69466 1 00000000193e7e20 20 0 0 10 -1
   2: 00000000000000000000000001000000:9ECA 00000000000000000000000001000000:897F 01 00000000:00000000 00:00000000 00000000     0        0 69465 2 00000000819f9f03 20 0 0 10 -1
   3: 00000000000000000000000000000000:ABFB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 70887 1 0000000091dc73ed 100 0 0 10 0
   4: 0000000000000000FFFF00000100007F:BF8E 0000000000000000FFFF00000100007F:ABFB 01 00000000:00000000 00:00000000 00000000     0        0 70888 2 0000000004d4c504 20 0 0 10 -1
`

describe('parseProcNetTcp', () => {
  it('decodes IPv4 lines: little-endian hex addresses, hex ports, state, uid, inode', () => {
    const entries = parseProcNetTcp(TCP_SAMPLE)
    expect(entries).toHaveLength(4)
    expect(entries[0]).toEqual({ local: { address: '127.0.0.1', port: 41885 }, remote: { address: '0.0.0.0', port: 0 }, state: 0x0a, uid: 0, inode: 72542 })
    expect(entries[3]).toEqual({ local: { address: '127.0.0.1', port: 47390 }, remote: { address: '127.0.0.1', port: 41885 }, state: 1, uid: 999, inode: 71402 })
    expect(entries[2]).toMatchObject({ state: 6, uid: 0, inode: 0 })
  })

  it('decodes IPv6 lines: four little-endian words, IPv4-mapped shown as IPv4', () => {
    const entries = parseProcNetTcp(TCP6_SAMPLE)
    expect(entries).toHaveLength(5)
    expect(entries[0]!.local).toEqual({ address: '::1', port: 35199 })
    expect(entries[0]!.remote).toEqual({ address: '::', port: 0 })
    expect(entries[2]).toEqual({ local: { address: '::1', port: 40650 }, remote: { address: '::1', port: 35199 }, state: 1, uid: 0, inode: 69465 })
    expect(entries[4]).toMatchObject({ local: { address: '127.0.0.1', port: 49038 }, remote: { address: '127.0.0.1', port: 44027 } })
  })

  it('skips the header, blank lines and lines of another shape', () => {
    const text = `${TCP_SAMPLE}\n   9: 0100007F:XYZ1 0100007F:A39D 01 garbage\n  10: 0100007F 0100007F:A39D 01\n`
    expect(parseProcNetTcp(text)).toHaveLength(4)
    expect(parseProcNetTcp('')).toEqual([])
  })
})

describe('decodeProcAddress', () => {
  it('reverses each 32-bit word on little-endian hosts only', () => {
    expect(Array.from(decodeProcAddress('0100007F', 'LE'))).toEqual([127, 0, 0, 1])
    expect(Array.from(decodeProcAddress('7F000001', 'BE'))).toEqual([127, 0, 0, 1])
    const v6 = decodeProcAddress('B80D0120000000000000000001000000', 'LE')
    expect(Array.from(v6.subarray(0, 4))).toEqual([0x20, 0x01, 0x0d, 0xb8])
    expect(v6[15]).toBe(1)
  })

  it('refuses a field of the wrong length', () => {
    expect(() => decodeProcAddress('0100007')).toThrow(RangeError)
  })
})
