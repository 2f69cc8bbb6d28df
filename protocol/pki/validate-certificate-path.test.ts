import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createTestIdentity as createIdentity, type TestIdentity } from '../../test/helpers/test-pki.js'
import { readCertificate } from './read-certificate.js'
import { PathValidationError, validateCertificatePath } from './validate-certificate-path.js'

const REPO = new URL('../../', import.meta.url)
const pem = (path: string) => new X509Certificate(readFileSync(new URL(path, REPO)))
const bundle = (env: string, ...files: string[]) => files.map((f) => pem(`agent/trust/ca-bundles/${env}/${f}`))
const sts = (file: string) => pem(`test/fixtures/real-ehealth/sts/${file}`)

const ZETES_001 = bundle('prod', 'zetes-ehealth-issuing-ca-001.pem', 'zetes-root-ca-001.pem')
const QUOVADIS = bundle('acc', 'quovadis-trust-anchor-issuing-ca-g2.pem', 'quovadis-trust-anchor-root-ca-g2.pem')
const at = (iso: string) => new Date(iso)

function failure(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(PathValidationError)
    return (err as Error).message
  }
  throw new Error('the path was accepted')
}

describe('validateCertificatePath with the real eHealth certificates', () => {
  it('the 2023 acceptance and production STS signers chain to ZetesConfidens root CA 001 through issuing CA 001', () => {
    for (const file of ['iamacc_zetes-ca001_2023-10-06_2026-10-06.pem', 'iam_zetes-ca001_2023-10-06_2026-10-06.pem']) {
      const path = validateCertificatePath(sts(file), { cas: [...QUOVADIS, ...ZETES_001], at: at('2025-01-01T00:00:00Z') })
      expect(path.certificates.map((c) => c.subject.split('\n').at(-1))).toEqual([
        expect.stringMatching(/^CN=CBE=0809394427\\, IAM(ACC)?$/),
        'CN=ZetesConfidens Private Trust PKI - eHealth issuing CA 001',
        'CN=ZetesConfidens Private Trust PKI - root CA 001',
      ])
    }
  })

  it('the 2018 acceptance signer chains to the QuoVadis Trust Anchor CAs, at a time both were valid', () => {
    const path = validateCertificatePath(sts('iamacc_quovadis_2018-04-10_2021-04-10.pem'), { cas: [...ZETES_001, ...QUOVADIS], at: at('2020-10-27T12:59:12Z') })
    expect(path.certificates.at(-1)!.fingerprint256).toBe('A7:7B:97:3B:FF:1B:F6:F8:13:53:D2:2B:90:6F:D3:1E:5E:08:1A:54:78:FC:3C:30:FC:96:CC:57:86:3D:B7:77')
  })

  it('refuses a signer outside its validity, naming the period', () => {
    const message = failure(() => validateCertificatePath(sts('iamacc_zetes-ca001_2021-01-11_2024-01-12.pem'), { cas: ZETES_001, at: at('2024-06-01T00:00:00Z') }))
    expect(message).toContain('was not valid at 2024-06-01T00:00:00.000Z (valid from 2021-01-11T10:41:56.000Z to 2024-01-12T10:41:56.000Z)')
  })

  it('refuses a path through the pathlen:0 copy of root CA 001, as OpenSSL does', () => {
    const pathlen0 = pem('test/fixtures/real-ehealth/ca/zetes-root-ca-001_reissue-pathlen0.pem')
    expect(readCertificate(pathlen0.raw).basicConstraints).toEqual({ ca: true, pathLength: 0 })
    const message = failure(() => validateCertificatePath(sts('iam_zetes-ca001_2023-10-06_2026-10-06.pem'), { cas: [ZETES_001[0]!, pathlen0], at: at('2025-01-01T00:00:00Z') }))
    expect(message).toContain('path length constraint')
    expect(message).toContain('(0) is exceeded: 1 CA certificate(s) below it')
  })

  it('refuses a signer whose issuer is not among the CAs', () => {
    const message = failure(() => validateCertificatePath(sts('iam_zetes-ca001_2023-10-06_2026-10-06.pem'), { cas: QUOVADIS, at: at('2025-01-01T00:00:00Z') }))
    expect(message).toContain('no trusted CA has the name of the issuer')
    expect(message).toContain('ZetesConfidens Private Trust PKI - eHealth issuing CA 001')
  })

  it('refuses an intermediate without its root', () => {
    const message = failure(() => validateCertificatePath(sts('iam_zetes-ca001_2023-10-06_2026-10-06.pem'), { cas: [ZETES_001[0]!], at: at('2025-01-01T00:00:00Z') }))
    expect(message).toContain('ZetesConfidens Private Trust PKI - root CA 001')
  })
})

describe('validateCertificatePath with generated certificates', () => {
  // Small keys: these certificates test the path rules, not RSA, and key generation is not free.
  const createTestIdentity = (options: Parameters<typeof createIdentity>[0]) => createIdentity({ modulusLength: 1024, ...options })
  const root = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'Test root']], isCa: true })
  const issuing = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'Test issuing']], isCa: true, issuer: root })
  const leafOf = (issuer: TestIdentity, options = {}) => createTestIdentity({ subject: [['C', 'BE'], ['CN', 'leaf']], issuer, ...options })
  const now = new Date()

  it('accepts a leaf of the issuing CA', () => {
    expect(validateCertificatePath(leafOf(issuing).certificate, { cas: [root.certificate, issuing.certificate], at: now }).certificates).toHaveLength(3)
  })

  it('refuses a leaf signed by another key under the same issuer name (a look-alike CA)', () => {
    const lookAlike = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'Test issuing']], isCa: true })
    const message = failure(() => validateCertificatePath(leafOf(lookAlike).certificate, { cas: [root.certificate, issuing.certificate], at: now }))
    expect(message).toContain('does not verify with the key of the trusted CA')
  })

  it('refuses an issuer that is not a CA', () => {
    const notCa = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'Not a CA']], issuer: root, keyUsage: { digitalSignature: true, keyCertSign: true } })
    const message = failure(() => validateCertificatePath(leafOf(notCa).certificate, { cas: [root.certificate, notCa.certificate], at: now }))
    expect(message).toContain('is not a CA certificate')
  })

  it('refuses a CA whose keyUsage lacks keyCertSign', () => {
    const noSign = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'CRL only']], isCa: true, issuer: root, keyUsage: { cRLSign: true } })
    const message = failure(() => validateCertificatePath(leafOf(noSign).certificate, { cas: [root.certificate, noSign.certificate], at: now }))
    expect(message).toContain('keyCertSign')
  })

  it('refuses an unknown critical extension', () => {
    const odd = leafOf(issuing, { extraExtensions: [{ id: '1.2.3.4.5', critical: true, value: '\u0005\u0000' }] })
    const message = failure(() => validateCertificatePath(odd.certificate, { cas: [root.certificate, issuing.certificate], at: now }))
    expect(message).toContain('critical extension this agent does not process (1.2.3.4.5)')
  })

  it('refuses a CA that had expired at the time', () => {
    const old = createTestIdentity({
      subject: [['C', 'BE'], ['CN', 'Old issuing']],
      isCa: true,
      issuer: root,
      validity: { notBefore: new Date(now.getTime() - 10 * 86_400_000), notAfter: new Date(now.getTime() - 86_400_000) },
    })
    const message = failure(() => validateCertificatePath(leafOf(old).certificate, { cas: [root.certificate, old.certificate], at: now }))
    expect(message).toContain('"CN=Old issuing, C=BE" was not valid at')
  })

  it('refuses a path longer than allowed', () => {
    expect(() => validateCertificatePath(leafOf(issuing).certificate, { cas: [root.certificate, issuing.certificate], at: now, maxLength: 2 })).toThrow(/no path of at most 2/)
  })

  it('refuses a self-signed leaf that is not among the CAs', () => {
    const message = failure(() => validateCertificatePath(createTestIdentity({ subject: [['CN', 'alone']] }).certificate, { cas: [root.certificate], at: now }))
    expect(message).toContain('no trusted CA')
  })
})
