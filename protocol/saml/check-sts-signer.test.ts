import { X509Certificate } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createTestIdentity } from '../../test/helpers/test-pki.js'
import { checkStsSigner, describeSubjectMismatch } from './check-sts-signer.js'
import { readCertificate } from '../pki/read-certificate.js'

const REPO = new URL('../../', import.meta.url)
const pem = (path: string) => new X509Certificate(readFileSync(new URL(path, REPO)))
/** The CA bundle the agent ships for `env` (agent/trust/ca-bundles). */
const bundle = (env: 'prod' | 'acc' | 'int') => {
  const dir = new URL(`agent/trust/ca-bundles/${env}/`, REPO)
  return readdirSync(dir).filter((f) => f.endsWith('.pem')).map((f) => new X509Certificate(readFileSync(new URL(f, dir))))
}
const sts = (file: string) => pem(`test/fixtures/real-ehealth/sts/${file}`)
const ACC = { cas: bundle('acc'), signerOu: 'IAMACC' }
const PROD = { cas: bundle('prod'), signerOu: 'IAM' }

describe('checkStsSigner with the real STS certificates and the shipped bundles', () => {
  it.each([
    ['iamacc_quovadis_2018-04-10_2021-04-10.pem', ACC, '2020-10-27T12:59:12.454Z'],
    ['iamacc_zetes-ca001_2021-01-11_2024-01-12.pem', ACC, '2022-06-01T00:00:00Z'],
    ['iamacc_zetes-ca001_2023-10-06_2026-10-06.pem', ACC, '2025-06-01T00:00:00Z'],
    ['iam_zetes-ca001_2021-01-11_2024-01-12.pem', PROD, '2022-06-01T00:00:00Z'],
    ['iam_zetes-ca001_2023-10-06_2026-10-06.pem', PROD, '2025-06-01T00:00:00Z'],
  ] as const)('%s is trusted for its environment at %s', (file, chain, at) => {
    expect(checkStsSigner(sts(file), chain, new Date(at))).toEqual({ trusted: true })
  })

  it('the integration signer of 2019 is trusted by the integration bundle', () => {
    expect(checkStsSigner(sts('iamint_quovadis_2019-02-13_2022-02-13.pem'), { cas: bundle('int'), signerOu: 'IAMINT' }, new Date('2020-01-01T00:00:00Z'))).toEqual({ trusted: true })
  })

  it('an acceptance signer is refused in production although the same CA issued both: the IAM OU differs', () => {
    const verdict = checkStsSigner(sts('iamacc_zetes-ca001_2023-10-06_2026-10-06.pem'), PROD, new Date('2025-06-01T00:00:00Z'))
    expect(verdict).toEqual({ trusted: false, reason: 'it is not named as the eHealth STS of this environment: its subject\'s CN is "CBE=0809394427, IAMACC", not "CBE=0809394427, IAM"' })
  })

  it('a production signer is refused in acceptance', () => {
    const verdict = checkStsSigner(sts('iam_zetes-ca001_2023-10-06_2026-10-06.pem'), ACC, new Date('2025-06-01T00:00:00Z'))
    expect(verdict.trusted).toBe(false)
  })

  it('a signer used after its certificate expired is refused', () => {
    const verdict = checkStsSigner(sts('iamacc_zetes-ca001_2023-10-06_2026-10-06.pem'), ACC, new Date('2026-12-06T00:00:00Z'))
    expect(verdict).toMatchObject({ trusted: false, reason: expect.stringContaining('valid from 2023-10-06T08:20:03.000Z to 2026-10-06T08:20:02.000Z') })
  })

  it('a personal eHealth certificate of the same CA family is not an STS signer', () => {
    const person = pem('test/fixtures/real-ehealth/person-ssin-80011904703_test-zetes_2020-09-07_2021-09-08.pem')
    expect(checkStsSigner(person, ACC, new Date('2021-01-01T00:00:00Z'))).toMatchObject({ trusted: false, reason: expect.stringContaining('CN is "SSIN=80011904703"') })
  })
})

describe('checkStsSigner with generated certificates', () => {
  const subject = (ou: string): [string, string][] => [
    ['C', 'BE'],
    ['O', 'Federal Government'],
    ['OU', ou],
    ['OU', 'CBE=0809394427'],
    ['OU', 'EHEALTH-PLATFORM'],
    ['OU', 'eHealth-platform Belgium'],
    ['CN', `CBE=0809394427, ${ou}`],
  ]
  const ca = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'Test eHealth CA']], isCa: true, modulusLength: 1024 })
  const chain = { cas: [ca.certificate], signerOu: 'IAMTEST' }
  const now = new Date()

  it('a signer named like the real ones, issued by a CA of the chain, is trusted', () => {
    const signer = createTestIdentity({ subject: subject('IAMTEST'), issuer: ca, modulusLength: 1024 })
    expect(checkStsSigner(signer.certificate, chain, now)).toEqual({ trusted: true })
  })

  it('the same name from another CA (a look-alike) is refused by the path check', () => {
    const rogue = createTestIdentity({ subject: [['C', 'BE'], ['CN', 'Rogue CA']], isCa: true, modulusLength: 1024 })
    const signer = createTestIdentity({ subject: subject('IAMTEST'), issuer: rogue, modulusLength: 1024 })
    expect(checkStsSigner(signer.certificate, chain, now)).toMatchObject({ trusted: false, reason: expect.stringContaining('no trusted CA has the name of the issuer') })
  })

  it('a signer whose keyUsage does not allow signatures is refused', () => {
    const signer = createTestIdentity({ subject: subject('IAMTEST'), issuer: ca, keyUsage: { keyEncipherment: true }, modulusLength: 1024 })
    expect(checkStsSigner(signer.certificate, chain, now)).toEqual({ trusted: false, reason: 'its keyUsage does not allow digital signatures' })
  })

  it('a CA named like the STS is refused', () => {
    const signer = createTestIdentity({ subject: subject('IAMTEST'), issuer: ca, isCa: true, keyUsage: { digitalSignature: true, keyCertSign: true }, modulusLength: 1024 })
    expect(checkStsSigner(signer.certificate, chain, now)).toMatchObject({ trusted: false, reason: expect.stringContaining('CA certificate') })
  })

  it('each attribute of the real subject is required', () => {
    const name = (pairs: [string, string][]) => readCertificate(createTestIdentity({ subject: pairs, modulusLength: 1024 }).certificate.raw).subject
    expect(describeSubjectMismatch(name(subject('IAMTEST')), 'IAMTEST')).toBeUndefined()
    expect(describeSubjectMismatch(name(subject('IAMTEST').filter(([k, v]) => !(k === 'OU' && v === 'eHealth-platform Belgium'))), 'IAMTEST')).toContain('no OU=eHealth-platform Belgium')
    expect(describeSubjectMismatch(name(subject('IAMTEST').filter(([k, v]) => !(k === 'OU' && v === 'CBE=0809394427'))), 'IAMTEST')).toContain('no OU=CBE=0809394427')
    expect(describeSubjectMismatch(name(subject('IAMTEST').map(([k, v]) => [k, k === 'O' ? 'Federal Governmnet' : v])), 'IAMTEST')).toContain('O is "Federal Governmnet"')
    expect(describeSubjectMismatch(name(subject('IAMTEST').map(([k, v]) => [k, k === 'C' ? 'NL' : v])), 'IAMTEST')).toContain('C is "NL"')
    // An extra attribute a future certificate might carry is tolerated.
    expect(describeSubjectMismatch(name([...subject('IAMTEST'), ['L', 'Brussels']]), 'IAMTEST')).toBeUndefined()
  })
})
