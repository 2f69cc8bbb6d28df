import { spawnSync } from 'node:child_process'
import { createPublicKey, X509Certificate } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireTool } from '../../../test/helpers/xmlsec.js'
import { PEOPLE } from '../directory-data.js'
import { isValidSsin } from '../ssin.js'
import { describeSandboxPki, KEYSTORE_IDS, loadOrCreateSandboxPki, loadSandboxPki, MANIFEST_FILE, type SandboxPki, type SandboxPkiManifest } from './index.js'

// Whole seconds, so the keystore file names (to the second) can be predicted.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000)
const STAMP = NOW.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)

let stateDir: string
let pki: SandboxPki

beforeAll(async () => {
  requireTool('openssl', 'openssl')
  stateDir = mkdtempSync(join(tmpdir(), 'sandbox-pki-test-'))
  pki = await loadOrCreateSandboxPki(stateDir, () => NOW)
})

afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true })
})

function openssl(args: string[], input?: string): { ok: boolean; out: string } {
  const res = spawnSync('openssl', args, { encoding: 'utf8', input })
  return { ok: res.status === 0, out: `${res.stdout}${res.stderr}` }
}

function rfc2253Subject(pem: string): string {
  const res = openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], pem)
  expect(res.ok, res.out).toBe(true)
  return res.out.trim().replace(/^subject=/, '')
}

function allCertificates(p: SandboxPki): X509Certificate[] {
  return [
    p.ehealthCa.certificate,
    p.belgiumRootCa.certificate,
    p.citizenCa.certificate,
    p.sts.certificate,
    ...Object.values(p.keystores).map((k) => k.certificate),
    ...Object.values(p.eid).flatMap((c) => [c.authentication.certificate, c.signature.certificate]),
  ]
}

describe('loadOrCreateSandboxPki', () => {
  it('reloads the same PKI from the state directory instead of generating another', async () => {
    const manifestBefore = readFileSync(pki.manifestPath, 'utf8')
    const again = await loadOrCreateSandboxPki(stateDir, () => new Date(NOW.getTime() + 86_400_000))
    expect(allCertificates(again).map((c) => c.fingerprint256)).toEqual(allCertificates(pki).map((c) => c.fingerprint256))
    expect(again.keystores.doctor.p12Path).toBe(pki.keystores.doctor.p12Path)
    expect(again.sts.privateKey.equals(pki.sts.privateKey)).toBe(true)
    expect(again.eid.doctor.authentication.privateKey.equals(pki.eid.doctor.authentication.privateKey)).toBe(true)
    expect(again.createdAt.getTime()).toBe(NOW.getTime())
    expect(readFileSync(pki.manifestPath, 'utf8')).toBe(manifestBefore)
  })

  it('puts everything under <stateDir>/pki and leaves no staging directory behind', () => {
    expect(pki.dir).toBe(join(stateDir, 'pki'))
    expect(readdirSync(stateDir)).toEqual(['pki'])
  })

  it('writes every file 0600 in directories 0700', () => {
    if (process.platform === 'win32') return
    const walk = (dir: string): void => {
      expect((statSync(dir).mode & 0o777).toString(8), dir).toBe('700')
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) walk(path)
        else expect((statSync(path).mode & 0o777).toString(8), path).toBe('600')
      }
    }
    walk(pki.dir)
  })

  it('starts validity a day before the clock and runs a few years', () => {
    for (const cert of allCertificates(pki)) {
      expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime() - 86_400_000)
      const years = (new Date(cert.validTo).getTime() - NOW.getTime()) / (365.25 * 86_400_000)
      expect(years).toBeGreaterThanOrEqual(2.9)
      expect(years).toBeLessThanOrEqual(10.1)
    }
    expect(pki.expiresAt.getTime()).toBeGreaterThan(NOW.getTime())
  })

  it('uses RSA-2048 keys everywhere', () => {
    for (const cert of allCertificates(pki)) {
      expect(cert.publicKey.asymmetricKeyType).toBe('rsa')
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    }
  })

  it('generates concurrently in two callers without mixing their PKIs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-pki-race-'))
    try {
      const [a, b] = await Promise.all([loadOrCreateSandboxPki(dir), loadOrCreateSandboxPki(dir)])
      expect(allCertificates(b).map((c) => c.fingerprint256)).toEqual(allCertificates(a).map((c) => c.fingerprint256))
      expect(readdirSync(dir)).toEqual(['pki'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a directory whose files no longer match the manifest', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'sandbox-pki-tampered-'))
    try {
      cpSync(pki.dir, copy, { recursive: true })
      writeFileSync(join(copy, 'sts', 'sts.crt.pem'), pki.ehealthCa.certificatePem)
      await expect(loadSandboxPki(copy)).rejects.toThrow(/does not hold the certificate its manifest lists/)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })

  it.each([
    ['a keystore id it does not know', (m: Record<string, any>) => (m.keystores[0].id = 'dentist'), /keystores\.0\.id: /],
    ['a path out of the directory', (m: Record<string, any>) => (m.sts.privateKey = '../../.ssh/id_rsa'), /sts\.privateKey: must be a path inside the PKI directory/],
    ['a missing certificate', (m: Record<string, any>) => delete m.cas.citizen, /cas\.citizen: /],
    ['an unknown field', (m: Record<string, any>) => (m.keystore = []), /\(root\): /],
    ['a fingerprint that is not one', (m: Record<string, any>) => (m.eid[1].signature.sha256 = 'abc'), /eid\.1\.signature\.sha256: must be a SHA-256 fingerprint/],
    ['another version', (m: Record<string, any>) => (m.version = 2), /has version 2, this agent reads version 1/],
  ])('refuses a manifest with %s, naming the file and the field and saying what to do', async (_what, edit, message) => {
    const copy = mkdtempSync(join(tmpdir(), 'sandbox-pki-manifest-'))
    try {
      cpSync(pki.dir, copy, { recursive: true })
      const manifest = JSON.parse(readFileSync(join(copy, MANIFEST_FILE), 'utf8')) as Record<string, any>
      edit(manifest)
      writeFileSync(join(copy, MANIFEST_FILE), JSON.stringify(manifest))
      const error = (await loadSandboxPki(copy).catch((e: unknown) => e)) as Error
      expect(error.message).toMatch(message)
      expect(error.message).toContain(join(copy, MANIFEST_FILE))
      expect(error.message).toContain(`delete ${copy} to regenerate the sandbox PKI`)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })

  it('refuses a manifest that is not JSON', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'sandbox-pki-manifest-'))
    try {
      cpSync(pki.dir, copy, { recursive: true })
      writeFileSync(join(copy, MANIFEST_FILE), '{"format": "ehealth-agent-sandbox-pki", ')
      await expect(loadSandboxPki(copy)).rejects.toThrow(/manifest\.json is not valid JSON .*; delete .* to regenerate the sandbox PKI/)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })

  it('refuses to adopt a pki directory that is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-pki-foreign-'))
    try {
      cpSync(join(pki.dir, 'ca'), join(dir, 'pki', 'ca'), { recursive: true })
      await expect(loadOrCreateSandboxPki(dir)).rejects.toThrow(/holds no manifest\.json/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('eHealth keystores', () => {
  it('has the doctor, nurse, pharmacist and hospital keystores', () => {
    expect(Object.keys(pki.keystores).sort()).toEqual([...KEYSTORE_IDS].sort())
  })

  it('names the files like the real ones, with sandbox for the environment', () => {
    for (const id of ['doctor', 'nurse', 'pharmacist'] as const) {
      const k = pki.keystores[id]
      expect(basename(k.p12Path)).toBe(`SSIN=${k.ssin} ${STAMP}.sandbox.p12`)
    }
    expect(basename(pki.keystores.hospital.p12Path)).toBe(`NIHII-HOSPITAL=71089914 ${STAMP}.sandbox.p12`)
  })

  it('opens each keystore with openssl and its one password, alias "authentication"', () => {
    for (const k of Object.values(pki.keystores)) {
      expect(k.password).toBe('sandbox')
      const certs = openssl(['pkcs12', '-in', k.p12Path, '-passin', `pass:${k.password}`, '-nokeys'])
      expect(certs.ok, certs.out).toBe(true)
      expect(certs.out).toContain('friendlyName: authentication')
      const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(certs.out)![0]
      expect(new X509Certificate(first).fingerprint256).toBe(k.sha256)

      // The same password decrypts the key (the store and the key share it, as in TC, EC and EG).
      const keys = openssl(['pkcs12', '-in', k.p12Path, '-passin', `pass:${k.password}`, '-nocerts', '-nodes'])
      expect(keys.ok, keys.out).toBe(true)
      const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(keys.out)![0]
      expect(createPublicKey(keyPem).equals(k.certificate.publicKey)).toBe(true)
    }
  })

  it('refuses a wrong password', () => {
    const res = openssl(['pkcs12', '-in', pki.keystores.doctor.p12Path, '-passin', 'pass:wrong', '-nokeys'])
    expect(res.ok).toBe(false)
  })

  it('gives persons the DN layout of eHealth personal certificates', () => {
    for (const id of ['doctor', 'nurse', 'pharmacist'] as const) {
      const k = pki.keystores[id]
      const person = PEOPLE.find((p) => p.ssin === k.ssin)!
      const name = `${person.givenName} ${person.surname}`
      expect(rfc2253Subject(k.certificatePem)).toBe(
        `CN=SSIN=${k.ssin},OU=eHealth-platform Belgium,OU=${name},OU=SSIN=${k.ssin},O=Federal Government,C=BE`,
      )
      expect(k.subject).toBe(`CN="SSIN=${k.ssin}", OU=eHealth-platform Belgium, OU=${name}, OU="SSIN=${k.ssin}", O=Federal Government, C=BE`)
      expect(isValidSsin(k.ssin!)).toBe(true)
      expect(k.quality?.quality).toBe(id)
    }
  })

  it('gives the hospital an organization DN with OU NIHII-HOSPITAL=71089914', () => {
    const k = pki.keystores.hospital
    expect(rfc2253Subject(k.certificatePem)).toBe(
      'CN=NIHII-HOSPITAL=71089914\\, SANDBOX,OU=eHealth-platform Belgium,OU=Sandbox General Hospital,OU=NIHII-HOSPITAL=71089914,OU=SANDBOX,O=Federal Government,C=BE',
    )
    expect(k.organization).toEqual({ type: 'hospital', nihii: '71089914' })
  })

  it('issues them from the TEST eHealth CA', () => {
    for (const k of Object.values(pki.keystores)) {
      const res = openssl(['verify', '-x509_strict', '-CAfile', pki.ehealthCa.certificatePath], k.certificatePem)
      expect(res.ok, res.out).toBe(true)
      expect(k.issuer).toBe('CN=TEST eHealth sandbox issuing CA, SERIALNUMBER=001, O=ehealth-agent sandbox, C=BE')
    }
  })
})

describe('STS certificate', () => {
  it('is issued by the TEST eHealth CA, shaped like the IAMACC certificate', () => {
    const res = openssl(['verify', '-x509_strict', '-CAfile', pki.ehealthCa.certificatePath, pki.sts.certificatePath])
    expect(res.ok, res.out).toBe(true)
    expect(rfc2253Subject(pki.sts.certificatePem)).toBe(
      'CN=CBE=0809394427\\, IAMSANDBOX,OU=eHealth-platform Belgium,OU=EHEALTH-PLATFORM,OU=CBE=0809394427,OU=IAMSANDBOX,O=Federal Government,C=BE',
    )
    expect(pki.sts.certificate.checkPrivateKey(pki.sts.privateKey)).toBe(true)
    expect(pki.ehealthCa.name).toBe('TEST eHealth sandbox issuing CA')
  })
})

describe('eID certificates', () => {
  it('has an Authentication and a Signature certificate per person of the directory', () => {
    expect(Object.values(pki.eid).map((c) => c.ssin).sort()).toEqual(PEOPLE.map((p) => p.ssin).sort())
  })

  it('chain to the TEST Citizen CA and the TEST Belgium Root CA (openssl verify)', () => {
    for (const card of Object.values(pki.eid)) {
      for (const key of [card.authentication, card.signature]) {
        const res = openssl(['verify', '-x509_strict', '-CAfile', pki.belgiumRootCa.certificatePath, '-untrusted', pki.citizenCa.certificatePath, key.certificatePath])
        expect(res.ok, res.out).toBe(true)
        // Not by the eHealth CA: the two hierarchies are separate, as in reality.
        expect(openssl(['verify', '-CAfile', pki.ehealthCa.certificatePath, key.certificatePath]).ok).toBe(false)
      }
    }
  })

  it('names the holder like a real eID', () => {
    const card = pki.eid.doctor
    expect(rfc2253Subject(card.authentication.certificatePem)).toBe(
      `serialNumber=${card.ssin},GN=Anne,SN=Janssens,CN=Anne Janssens (Authentication),C=BE`,
    )
    expect(rfc2253Subject(card.signature.certificatePem)).toBe(`serialNumber=${card.ssin},GN=Anne,SN=Janssens,CN=Anne Janssens (Signature),C=BE`)
    expect(pki.citizenCa.name).toBe('TEST Citizen CA (sandbox)')
    expect(pki.belgiumRootCa.name).toBe('TEST Belgium Root CA (sandbox)')
  })

  it('uses digitalSignature for Authentication and nonRepudiation for Signature', () => {
    const usage = (pem: string): string => openssl(['x509', '-noout', '-ext', 'keyUsage'], pem).out
    expect(usage(pki.eid.citizen.authentication.certificatePem)).toMatch(/Digital Signature\s*$/)
    expect(usage(pki.eid.citizen.signature.certificatePem)).toMatch(/Non Repudiation\s*$/)
  })
})

describe('manifest', () => {
  it('lists what exists: relative paths, passwords, subjects, SSIN and NIHII', () => {
    const manifest = JSON.parse(readFileSync(join(pki.dir, MANIFEST_FILE), 'utf8')) as SandboxPkiManifest
    expect(manifest.format).toBe('ehealth-agent-sandbox-pki')
    expect(manifest.keystores.map((k) => k.id).sort()).toEqual([...KEYSTORE_IDS].sort())
    for (const k of manifest.keystores) {
      expect(k.password).toBe('sandbox')
      expect(k.alias).toBe('authentication')
      expect(statSync(join(pki.dir, k.p12)).isFile()).toBe(true)
    }
    expect(manifest.keystores.find((k) => k.id === 'hospital')?.organization?.nihii).toBe('71089914')
    expect(manifest.keystores.find((k) => k.id === 'doctor')?.ssin).toBe(pki.keystores.doctor.ssin)
    expect(manifest.sts.subject).toBe(pki.sts.subject)
    expect(manifest.eid).toHaveLength(PEOPLE.length)
  })

  it('is printed with every keystore path and password', () => {
    const text = describeSandboxPki(pki, NOW)
    for (const k of Object.values(pki.keystores)) expect(text).toContain(k.p12Path)
    expect(text).toContain('password sandbox')
    expect(text).not.toContain('EXPIRED')
    expect(describeSandboxPki(pki, new Date(pki.expiresAt.getTime() + 1))).toContain('EXPIRED')
  })
})
