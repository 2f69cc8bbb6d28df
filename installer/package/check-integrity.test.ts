import { describe, expect, it } from 'vitest'
import { checkIntegrity } from './check-integrity.js'

// SHA-512("abc") from FIPS 180-2, appendix C.1 (ddaf35a1…a54ca49f), in base64 as SRI writes it.
const ABC_SHA512 = 'sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=='

describe('checkIntegrity (W3C Subresource Integrity, as npm publishes dist.integrity)', () => {
  it('accepts the bytes the digest was made of and refuses any others, saying both digests', () => {
    expect(checkIntegrity(Buffer.from('abc'), ABC_SHA512)).toEqual({ ok: true })
    const wrong = checkIntegrity(Buffer.from('abd'), ABC_SHA512)
    expect(wrong.ok).toBe(false)
    expect(!wrong.ok && wrong.reason).toMatch(/^sha512 is \S+, the registry says 3a81oZ/)
  })

  it('uses the strongest algorithm listed, and refuses a string with none it knows', () => {
    const weakMatchStrongMismatch = `sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0= sha512-${'A'.repeat(86)}==`
    expect(checkIntegrity(Buffer.from('abc'), weakMatchStrongMismatch).ok).toBe(false)
    expect(checkIntegrity(Buffer.from('abc'), 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=')).toEqual({ ok: true })
    expect(checkIntegrity(Buffer.from('abc'), 'md5-kAFQmDzST7DWlj99KOF/cg==')).toEqual({ ok: false, reason: expect.stringMatching(/no sha256\/384\/512 digest/) })
  })
})
