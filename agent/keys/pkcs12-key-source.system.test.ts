import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPkcs12 } from '../../test/helpers/keys-pkcs12.js'
import { createTestIdentity } from '../../test/helpers/test-pki.js'
import { requireTool } from '../../test/helpers/xmlsec.js'

// The keystores pkcs12-key-source.test.ts reads are built by our own test helper; OpenSSL, an
// independent PKCS#12 reader, must accept them too, or those tests would prove nothing.

const PASSWORD = 'correct horse battery staple'

let dir: string
let keystorePath: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keys-p12-'))
  const ca = createTestIdentity({ subject: [['CN', 'Test eHealth issuing CA'], ['C', 'BE']], isCa: true })
  const authentication = createTestIdentity({ subject: [['CN', 'SSIN=79021802145'], ['OU', 'eHealth-platform Belgium'], ['C', 'BE']], issuer: ca })
  const encryption = createTestIdentity({ subject: [['CN', 'SSIN=79021802145 encryption'], ['C', 'BE']], issuer: ca })
  keystorePath = join(dir, 'SSIN=79021802145 20250514-082150.acc.p12')
  writeFileSync(
    keystorePath,
    buildPkcs12(
      [
        { alias: '123456789012345', privateKeyPem: encryption.privateKeyPem, certificatePems: [encryption.certificatePem, ca.certificatePem] },
        { alias: 'authentication', privateKeyPem: authentication.privateKeyPem, certificatePems: [authentication.certificatePem, ca.certificatePem] },
      ],
      PASSWORD,
    ),
  )
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the test keystore builder', () => {
  it('writes a keystore OpenSSL accepts with the password (an independent PKCS#12 reader)', () => {
    requireTool('openssl', 'openssl')
    const ok = spawnSync('openssl', ['pkcs12', '-in', keystorePath, '-passin', `pass:${PASSWORD}`, '-nokeys', '-info'], { encoding: 'utf8' })
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout + ok.stderr).toMatch(/friendlyName: authentication/)
    expect(ok.stdout + ok.stderr).toMatch(/friendlyName: 123456789012345/)
  })

  it('and refuses it with a wrong password (so a pass means something)', () => {
    requireTool('openssl', 'openssl')
    const bad = spawnSync('openssl', ['pkcs12', '-in', keystorePath, '-passin', 'pass:wrong', '-nokeys', '-info'], { encoding: 'utf8' })
    expect(bad.status).not.toBe(0)
  })
})
