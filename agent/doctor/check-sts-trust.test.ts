import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import { createTestIdentity } from '../../test/helpers/test-pki.js'
import { defaultConfig, type AgentConfig } from '../config.js'
import { loadCaBundle } from '../trust/load-ca-bundle.js'
import { checkConfig } from './check-config.js'
import { checkStsTrust } from './check-sts-trust.js'
import type { DoctorEnvironment } from './doctor-environment.js'

const scratch = mkdtempSync(join(tmpdir(), 'doctor-trust-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function env(now: string, overrides: Partial<DoctorEnvironment> = {}): DoctorEnvironment {
  return {
    platform: 'linux',
    nodeVersion: '20.11.0',
    paths: resolvePaths(scratch, { platform: 'linux', home: scratch, uid: 1000, env: {} }),
    display: {},
    trayHelper: undefined,
    createHttpClient: () => ({ request: async () => ({ status: 200, headers: {}, body: '' }), proxyFor: () => undefined, close: async () => undefined }),
    proxy: { environment: {} },
    fileExists: () => false,
    isExecutable: () => true,
    isWritable: () => true,
    readFile: (p) => readFile(p),
    pkcs11: { open: () => { throw new Error('no PKCS#11 here') } },
    now: () => Date.parse(now),
    isPortFree: async () => true,
    isProcessAlive: () => false,
    loadCaBundle: (e) => loadCaBundle(e),
    probeEidSupport: () => undefined,
    probeMallocTrim: () => true,
    probeSockDiag: async () => 'answers' as const,
    listFiles: async () => [],
    ...overrides,
  }
}
const config = (environment: AgentConfig['environment'], extra: Partial<AgentConfig> = {}): AgentConfig => ({ ...defaultConfig(), environment, ...extra })

describe('doctor: the STS trust of a real environment', () => {
  it('acceptance today: each bundled CA with its expiry; the expired QuoVadis CA is reported, not warned about', async () => {
    const check = await checkStsTrust(env('2026-12-06T10:00:00Z'), config('acc'))
    expect(check).toMatchObject({ id: 'sts-trust', status: 'ok', fix: '' })
    expect(check.detail).toBe('Acceptance: an STS signer is trusted when it chains to one of 6 bundled CA certificates and is named OU=IAMACC')
    expect(check.items!.map((i) => [i.name, i.status, i.detail])).toEqual([
      ['ZetesConfidens Private Trust PKI - eHealth issuing CA 001 (zetes-ehealth-issuing-ca-001.pem)', 'ok', 'valid until 2029-02-08'],
      ['ZetesConfidens Private Trust PKI - root CA 001 (zetes-root-ca-001.pem)', 'ok', 'valid until 2044-02-08'],
      ['ZetesConfidens Private Trust PKI - eHealth issuing CA 002 (zetes-ehealth-issuing-ca-002.pem)', 'ok', 'valid until 2034-11-20'],
      ['ZetesConfidens Private Trust PKI - root CA 002 (zetes-root-ca-002.pem)', 'ok', 'valid until 2049-11-20'],
      ['QuoVadis Trust Anchor Issuing CA G2 (quovadis-trust-anchor-issuing-ca-g2.pem)', 'ok', 'expired on 2025-04-09: only tokens issued before then chain to it'],
      ['QuoVadis Trust Anchor Root CA G2 (quovadis-trust-anchor-root-ca-g2.pem)', 'ok', 'valid until 2040-04-09'],
    ])
    expect(check.items![0]!.sha256).toBe('58:78:2D:D3:7C:99:7F:21:AF:20:E9:52:DE:87:15:C6:3B:CD:9D:2C:D3:EB:8A:C5:16:68:70:5F:FA:3B:1C:D2')
  })

  it('warns from 90 days before a bundled CA expires, naming it and what to do', async () => {
    // Zetes issuing CA 001 expires on 2029-02-08.
    expect((await checkStsTrust(env('2028-11-09T00:00:00Z'), config('prod'))).status).toBe('ok') // 91 days left
    expect((await checkStsTrust(env('2028-11-11T00:00:00Z'), config('prod'))).status).toBe('warn') // 89 days left
    const late = await checkStsTrust(env('2028-12-01T00:00:00Z'), config('prod'))
    expect(late).toMatchObject({ status: 'warn', detail: expect.stringContaining('ZetesConfidens Private Trust PKI - eHealth issuing CA 001 (zetes-ehealth-issuing-ca-001.pem) expire(s) within 90 days'), fix: expect.stringContaining('update ehealth-agent') })
    expect(late.items!.find((i) => i.name.startsWith('ZetesConfidens Private Trust PKI - eHealth issuing CA 001'))).toMatchObject({ status: 'warn', detail: 'expires on 2029-02-08, in 69 day(s)' })
  })

  it('fails once every bundled CA has expired', async () => {
    expect(await checkStsTrust(env('2050-01-01T00:00:00Z'), config('prod'))).toMatchObject({ status: 'fail', fix: expect.stringContaining('update ehealth-agent') })
  })

  it('lists pinned STS certificates too, and warns about one that expired', async () => {
    const pin = createTestIdentity({ subject: [['CN', 'pinned STS'], ['C', 'BE']], modulusLength: 1024, validity: { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') } })
    const file = join(scratch, 'pin.pem')
    writeFileSync(file, pin.certificatePem)
    const check = await checkStsTrust(env('2026-12-06T10:00:00Z'), config('prod', { trustedStsCertificates: [file] }))
    expect(check.detail).toContain('or is one of 1 pinned certificate(s)')
    expect(check.items!.at(-1)).toMatchObject({ name: `pinned STS (${file})`, status: 'warn', detail: 'expired on 2021-01-01: remove it from trustedStsCertificates' })
    expect(check.status).toBe('warn')
  })

  it('--env overrides the settings, and a real environment needs no STS certificate in them', async () => {
    const { check, config: resolved } = await checkConfig(env('2026-12-06T10:00:00Z', { environment: 'prod' }))
    expect(check.status).toBe('ok')
    expect(check.detail).toContain('environment prod')
    expect(resolved!.environment).toBe('prod')
  })

  it('the sandbox trusts what the sandbox publishes', async () => {
    expect(await checkStsTrust(env('2026-12-06T10:00:00Z'), config('sandbox'))).toMatchObject({ status: 'ok', detail: expect.stringContaining('IAMSANDBOX') })
  })
})
