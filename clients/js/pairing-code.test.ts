import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { displayPairingCode, formatPairingCode, pairingCodeInput } from '../../protocol/rpc/pairing-code.js'
import { newPairingNonce, pairingCode } from './pairing-code.js'

describe('the pairing code', () => {
  it('is six digits from SHA-256 of the context and the nonce, the same with WebCrypto and node:crypto', async () => {
    const nonce = 'q8Jt2nXo4bYw0uZr7cKd1A'
    const viaNode = formatPairingCode(createHash('sha256').update(pairingCodeInput(nonce)).digest())
    expect(await pairingCode(nonce)).toBe(viaNode)
    expect(viaNode).toMatch(/^\d{6}$/)
    // The first 4 bytes big-endian, mod 10^6, by hand:
    const d = createHash('sha256').update('ehealth-agent pairing code:' + nonce).digest()
    expect(Number(d.readUInt32BE(0) % 1_000_000).toString().padStart(6, '0')).toBe(viaNode)
  })

  it('keeps its leading zeros and is shown in two groups', () => {
    expect(formatPairingCode(new Uint8Array([0, 0, 0, 42]))).toBe('000042')
    expect(formatPairingCode(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe('967295')
    expect(displayPairingCode('042317')).toBe('042 317')
    expect(() => formatPairingCode(new Uint8Array(3))).toThrow(RangeError)
  })

  it('gives fresh nonces that client.pair accepts', async () => {
    const a = await newPairingNonce()
    const b = await newPairingNonce()
    expect(a.nonce).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(a.nonce).not.toBe(b.nonce)
    expect(a.code).toBe(await pairingCode(a.nonce))
  })
})
