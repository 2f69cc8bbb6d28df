import { verify } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPkcs12 } from '../../test/helpers/keys-pkcs12.js'
import { createTestIdentity, type TestIdentity } from '../../test/helpers/test-pki.js'
import { createPkcs12KeySource } from './pkcs12-key-source.js'
import { openPkcs12 } from './open-pkcs12.js'

const PASSWORD = 'correct horse battery staple'
const DATA = Buffer.from('<ds:SignedInfo>to be signed</ds:SignedInfo>')

let dir: string
let ca: TestIdentity
let authentication: TestIdentity
let encryption: TestIdentity
let keystorePath: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keys-p12-'))
  ca = createTestIdentity({ subject: [['CN', 'Test eHealth issuing CA'], ['C', 'BE']], isCa: true })
  authentication = createTestIdentity({ subject: [['CN', 'SSIN=79021802145'], ['OU', 'eHealth-platform Belgium'], ['C', 'BE']], issuer: ca })
  encryption = createTestIdentity({ subject: [['CN', 'SSIN=79021802145 encryption'], ['C', 'BE']], issuer: ca })
  // The decoy comes first, as an eHealth keystore's encryption entries may: the alias decides, not the order.
  keystorePath = writeKeystore('SSIN=79021802145 20250514-082150.acc.p12', [
    { alias: '123456789012345', privateKeyPem: encryption.privateKeyPem, certificatePems: [encryption.certificatePem, ca.certificatePem] },
    { alias: 'authentication', privateKeyPem: authentication.privateKeyPem, certificatePems: [authentication.certificatePem, ca.certificatePem] },
  ])
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function writeKeystore(name: string, entries: Parameters<typeof buildPkcs12>[0], options?: Parameters<typeof buildPkcs12>[2]): string {
  const path = join(dir, name)
  writeFileSync(path, buildPkcs12(entries, PASSWORD, options))
  return path
}

function verifies(signature: Uint8Array, identity: TestIdentity, hash: 'sha256' | 'sha1' = 'sha256', data: Uint8Array = DATA): boolean {
  return verify(hash, data, identity.certificate.publicKey, signature)
}

// That OpenSSL, an independent PKCS#12 reader, opens the keystores built here is in
// pkcs12-key-source.system.test.ts.

describe('PKCS#12 key source', () => {
  it('uses the authentication entry and signs with it (verified against the certificate)', async () => {
    const source = createPkcs12KeySource({ path: keystorePath })
    expect(source.kind).toBe('pkcs12')
    expect(source.label).toBe('eHealth keystore SSIN=79021802145 20250514-082150.acc.p12')
    expect(await source.loginRequirement()).toEqual({ secret: 'password' })
    expect(source.loginState()).toBe('logged-out')
    await source.login(PASSWORD)
    expect(source.loginState()).toBe('logged-in')

    const { certificate, base64 } = await source.certificate()
    expect(certificate.fingerprint256).toBe(authentication.certificate.fingerprint256)
    expect(base64).toBe(authentication.certificateBase64)

    const sha256 = await source.sign(DATA, 'sha256')
    expect(verifies(sha256, authentication)).toBe(true)
    expect(verifies(sha256, encryption)).toBe(false)
    const sha1 = await source.sign(DATA, 'sha1')
    expect(verifies(sha1, authentication, 'sha1')).toBe(true)
    // RSA-2048 PKCS#1 v1.5 is deterministic: the same input gives the same signature.
    expect(Buffer.from(await source.sign(DATA, 'sha256')).equals(Buffer.from(sha256))).toBe(true)
  })

  it('matches the alias case-insensitively and reads a 3DES (Java keytool style) keystore', async () => {
    const path = writeKeystore('java-style.p12', [
      { alias: 'Authentication', privateKeyPem: authentication.privateKeyPem, certificatePems: [authentication.certificatePem] },
    ], { algorithm: '3des' })
    const source = createPkcs12KeySource({ path })
    await source.login(PASSWORD)
    expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
  })

  it('refuses a wrong password with ERR_PASSWORD_INCORRECT and stays logged out', async () => {
    const source = createPkcs12KeySource({ path: keystorePath })
    await expect(source.login('wrong password')).rejects.toMatchObject({ name: 'AgentError', code: 'ERR_PASSWORD_INCORRECT' })
    expect(source.loginState()).toBe('logged-out')
    await expect(source.login(undefined)).rejects.toMatchObject({ code: 'ERR_PASSWORD_INCORRECT' })
  })

  it('reports a wrong password also for a keystore without MAC', async () => {
    const path = writeKeystore('no-mac.p12', [
      { alias: 'authentication', privateKeyPem: authentication.privateKeyPem, certificatePems: [authentication.certificatePem] },
    ], { useMac: false })
    await expect(createPkcs12KeySource({ path }).login('wrong password')).rejects.toMatchObject({ code: 'ERR_PASSWORD_INCORRECT' })
  })

  it('refuses a keystore without an authentication entry with ERR_KEY_NOT_FOUND, naming the aliases it has', async () => {
    const path = writeKeystore('encryption-only.p12', [
      { alias: '123456789012345', privateKeyPem: encryption.privateKeyPem, certificatePems: [encryption.certificatePem] },
    ])
    const error = await createPkcs12KeySource({ path }).login(PASSWORD).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_KEY_NOT_FOUND', data: { alias: 'authentication', aliases: ['123456789012345'] } })
  })

  it('refuses a file that is not PKCS#12, and a missing file, without naming the path', async () => {
    const garbage = join(dir, 'garbage.p12')
    writeFileSync(garbage, 'not a keystore')
    await expect(createPkcs12KeySource({ path: garbage }).login(PASSWORD)).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE' })
    const missing = await createPkcs12KeySource({ path: join(dir, 'missing.p12') }).login(PASSWORD).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'ERR_KEY_SOURCE', message: 'the keystore file does not exist' })
    expect(JSON.stringify((missing as { data: unknown }).data)).not.toContain(dir)
  })

  it('signs 50 times in parallel, every signature verifies', async () => {
    const source = createPkcs12KeySource({ path: keystorePath })
    await source.login(PASSWORD)
    const inputs = Array.from({ length: 50 }, (_, i) => Buffer.from(`envelope ${i}`))
    const signatures = await Promise.all(inputs.map((input, i) => source.sign(input, i % 2 === 0 ? 'sha256' : 'sha1')))
    signatures.forEach((signature, i) => {
      expect(verifies(signature, authentication, i % 2 === 0 ? 'sha256' : 'sha1', inputs[i])).toBe(true)
    })
  })

  it('before login and after logout, certificate and sign fail with ERR_NOT_LOGGED_IN', async () => {
    const source = createPkcs12KeySource({ path: keystorePath })
    await expect(source.certificate()).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    await source.login(PASSWORD)
    await source.logout()
    expect(source.loginState()).toBe('logged-out')
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    await source.close()
  })

  it('reads the file through an injected reader when given one', async () => {
    const bytes = buildPkcs12([{ alias: 'authentication', privateKeyPem: authentication.privateKeyPem, certificatePems: [authentication.certificatePem] }], PASSWORD)
    const reads: string[] = []
    const source = createPkcs12KeySource({ path: 'in-memory.p12', readFile: async (path) => (reads.push(path), bytes) })
    await source.login(PASSWORD)
    expect(reads).toEqual(['in-memory.p12'])
    expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
  })

  it('a logout while the keystore is being opened wins: that login fails and the key never appears', async () => {
    const bytes = buildPkcs12([{ alias: 'authentication', privateKeyPem: authentication.privateKeyPem, certificatePems: [authentication.certificatePem] }], PASSWORD)
    let release!: () => void
    const opened = new Promise<void>((resolve) => (release = resolve))
    const source = createPkcs12KeySource({ path: 'slow.p12', readFile: async () => (await opened, bytes) })
    const login = source.login(PASSWORD)
    await source.logout()
    release()
    await expect(login).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    expect(source.loginState()).toBe('logged-out')
    await expect(source.sign(DATA, 'sha256')).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    // The next login is not affected.
    await source.login(PASSWORD)
    expect(verifies(await source.sign(DATA, 'sha256'), authentication)).toBe(true)
  })
})

describe('openPkcs12', () => {
  it('pairs the key with its own certificate by localKeyId, not with another entry\'s', () => {
    const bytes = buildPkcs12([
      { alias: 'authentication', privateKeyPem: authentication.privateKeyPem, certificatePems: [authentication.certificatePem] },
      { alias: 'other', privateKeyPem: encryption.privateKeyPem, certificatePems: [encryption.certificatePem] },
    ], PASSWORD)
    const entry = openPkcs12(bytes, PASSWORD)
    expect(entry.certificateDer.equals(authentication.certificate.raw)).toBe(true)
    expect(entry.privateKey.asymmetricKeyType).toBe('rsa')
  })
})
