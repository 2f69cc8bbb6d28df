import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EXTENSION_ID } from '../../protocol/browser-extension/names.js'
import { computeExtensionId } from './extension-id.js'

const manifest = JSON.parse(readFileSync(new URL('./extension/manifest.json', import.meta.url), 'utf8')) as { key: string; manifest_version: number }

describe('the extension id', () => {
  it('EXTENSION_ID is the id Chrome derives from the committed manifest key', () => {
    expect(computeExtensionId(manifest.key)).toBe(EXTENSION_ID)
    expect(EXTENSION_ID).toMatch(/^[a-p]{32}$/)
  })

  it('the committed key is a public key only (an unpacked load needs no private key)', () => {
    const der = Buffer.from(manifest.key, 'base64')
    // DER SubjectPublicKeyInfo of an RSA key: rsaEncryption OID, no private material.
    expect(der.includes(Buffer.from('06092a864886f70d010101', 'hex'))).toBe(true)
    expect(der.length).toBeLessThan(600)
    expect(JSON.stringify(manifest)).not.toMatch(/PRIVATE/)
  })

  it('is SHA-256 of the DER SubjectPublicKeyInfo, first 32 hex digits mapped 0-f to a-p (checked with coreutils)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const key = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    const shell = spawnSync('sh', ['-c', 'base64 -d | sha256sum | cut -c1-32 | tr 0-9a-f a-p'], { input: key, encoding: 'utf8' })
    expect(computeExtensionId(key)).toBe(shell.stdout.trim())
    expect(() => computeExtensionId('')).toThrow(/empty/)
  })
})
