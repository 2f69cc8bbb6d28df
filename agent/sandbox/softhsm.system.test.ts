import { spawnSync } from 'node:child_process'
import { verify } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import type { SandboxEidCard, SandboxPki } from './pki/index.js'
import { findSoftHsmModule, parseObjectListing, provisionEidToken, SANDBOX_EID_PIN, type EidTokenSpec, type ProvisionedToken } from './softhsm.js'

let pki: SandboxPki
let work: string
let stateDir: string
let token: ProvisionedToken

function specFor(card: SandboxEidCard, dir = stateDir, pin = SANDBOX_EID_PIN): EidTokenSpec {
  return {
    stateDir: dir,
    pin,
    authentication: { privateKeyPem: card.authentication.privateKeyPem, certificatePem: card.authentication.certificatePem },
    signature: { privateKeyPem: card.signature.privateKeyPem, certificatePem: card.signature.certificatePem },
  }
}

/** pkcs11-tool against the provisioned token, with SOFTHSM2_CONF set as callers must. */
function pkcs11Tool(t: ProvisionedToken, args: string[]): { ok: boolean; out: string } {
  const res = spawnSync('pkcs11-tool', ['--module', t.modulePath, '--token-label', t.tokenLabel, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SOFTHSM2_CONF: t.softhsmConf },
  })
  return { ok: res.status === 0, out: `${res.stdout}${res.stderr}` }
}

function signOnToken(t: ProvisionedToken, id: string, data: Buffer, pin = t.pin): { ok: boolean; out: string; signature?: Buffer } {
  const input = join(work, `data-${id}.bin`)
  const output = join(work, `sig-${id}.bin`)
  writeFileSync(input, data)
  rmSync(output, { force: true })
  const res = pkcs11Tool(t, ['--login', '--pin', pin, '--sign', '-m', 'SHA256-RSA-PKCS', '--id', id, '--input-file', input, '--output-file', output])
  return existsSync(output) && res.ok ? { ...res, signature: readFileSync(output) } : res
}

function tokenDirs(dir: string): string[] {
  return readdirSync(join(dir, 'tokens')).sort()
}

beforeAll(async () => {
  requireTool('softhsm2-util', 'softhsm2')
  requireTool('pkcs11-tool', 'opensc')
  requireTool('openssl', 'openssl')
  findSoftHsmModule()
  pki = await sharedSandboxPki()
  work = mkdtempSync(join(tmpdir(), 'sandbox-softhsm-test-'))
  stateDir = join(work, 'eid-doctor')
  token = await provisionEidToken(specFor(pki.eid.doctor))
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('findSoftHsmModule', () => {
  it('finds libsofthsm2', () => {
    expect(existsSync(findSoftHsmModule())).toBe(true)
    expect(findSoftHsmModule()).toMatch(/libsofthsm2\.so$/)
  })
})

describe('provisionEidToken', () => {
  it('returns how to load the token, with its own softhsm2.conf', () => {
    expect(token).toEqual({ modulePath: findSoftHsmModule(), softhsmConf: join(stateDir, 'softhsm2.conf'), tokenLabel: 'BELPIC', pin: SANDBOX_EID_PIN })
    const conf = readFileSync(token.softhsmConf, 'utf8')
    expect(conf).toContain(`directories.tokendir = ${join(stateDir, 'tokens')}`)
    expect(conf).toContain('objectstore.backend = file')
    expect(conf).toContain('log.level = ERROR')
  })

  it('holds private keys and certificates labelled Authentication (02) and Signature (03)', () => {
    const res = pkcs11Tool(token, ['--login', '--pin', token.pin, '--list-objects'])
    expect(res.ok, res.out).toBe(true)
    const objects = parseObjectListing(res.out)
    for (const [label, id] of [['Authentication', '02'], ['Signature', '03']] as const) {
      expect(objects).toContainEqual({ kind: 'Private Key Object', label, id })
      expect(objects).toContainEqual({ kind: 'Certificate Object', label, id })
    }
  })

  it('stores the eID certificates themselves', () => {
    const out = join(work, 'auth.der')
    const res = pkcs11Tool(token, ['--read-object', '--type', 'cert', '--id', '02', '--output-file', out])
    expect(res.ok, res.out).toBe(true)
    expect(readFileSync(out).equals(pki.eid.doctor.authentication.certificate.raw)).toBe(true)
  })

  it('signs with the Authentication key so the Authentication certificate verifies it', () => {
    const data = Buffer.from('<ds:SignedInfo>sandbox</ds:SignedInfo>')
    const res = signOnToken(token, '02', data)
    expect(res.signature, res.out).toBeDefined()
    expect(verify('sha256', data, pki.eid.doctor.authentication.certificate.publicKey, res.signature!)).toBe(true)
    expect(verify('sha256', data, pki.eid.doctor.signature.certificate.publicKey, res.signature!)).toBe(false)

    // And by an implementation we did not write.
    const pub = join(work, 'auth-pub.pem')
    const sig = join(work, 'auth.sig')
    const dat = join(work, 'auth.dat')
    writeFileSync(pub, pki.eid.doctor.authentication.certificate.publicKey.export({ type: 'spki', format: 'pem' }))
    writeFileSync(sig, res.signature!)
    writeFileSync(dat, data)
    const check = spawnSync('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', sig, dat], { encoding: 'utf8' })
    expect(check.stdout.trim(), check.stderr).toBe('Verified OK')
  })

  it('signs with the Signature key under id 03', () => {
    const data = Buffer.from('a document to sign')
    const res = signOnToken(token, '03', data)
    expect(res.signature, res.out).toBeDefined()
    expect(verify('sha256', data, pki.eid.doctor.signature.certificate.publicKey, res.signature!)).toBe(true)
  })

  it('answers a wrong PIN with CKR_PIN_INCORRECT', () => {
    const res = signOnToken(token, '02', Buffer.from('x'), '9999')
    expect(res.ok).toBe(false)
    expect(res.out).toContain('CKR_PIN_INCORRECT')
  })

  it('leaves a matching token untouched when called again', async () => {
    const before = tokenDirs(stateDir)
    const again = await provisionEidToken(specFor(pki.eid.doctor))
    expect(again).toEqual(token)
    expect(tokenDirs(stateDir)).toEqual(before)
  })

  it('provisions again when the certificates or the PIN differ', async () => {
    const dir = join(work, 'eid-changing')
    await provisionEidToken(specFor(pki.eid.doctor, dir))
    const first = tokenDirs(dir)

    const nurse = await provisionEidToken(specFor(pki.eid.nurse, dir))
    expect(tokenDirs(dir)).not.toEqual(first)
    const out = join(work, 'nurse.der')
    expect(pkcs11Tool(nurse, ['--read-object', '--type', 'cert', '--id', '02', '--output-file', out]).ok).toBe(true)
    expect(readFileSync(out).equals(pki.eid.nurse.authentication.certificate.raw)).toBe(true)

    const repinned = await provisionEidToken(specFor(pki.eid.nurse, dir, '4321'))
    const res = pkcs11Tool(repinned, ['--login', '--pin', '4321', '--list-objects'])
    expect(res.ok, res.out).toBe(true)
    // Exactly one BELPIC token remains.
    const slots = spawnSync('softhsm2-util', ['--show-slots'], { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: repinned.softhsmConf } })
    expect(slots.stdout.match(/Label:\s+BELPIC\s*$/gm)).toHaveLength(1)
  })

  it('serialises concurrent calls for one state directory', async () => {
    const dir = join(work, 'eid-concurrent')
    const [a, b] = await Promise.all([provisionEidToken(specFor(pki.eid.citizen, dir)), provisionEidToken(specFor(pki.eid.citizen, dir))])
    expect(a).toEqual(b)
    expect(pkcs11Tool(a, ['--login', '--pin', a.pin, '--list-objects']).ok).toBe(true)
  })

  it('refuses a key that does not match its certificate, and a too short PIN', async () => {
    const mixed = specFor(pki.eid.doctor, join(work, 'eid-bad'))
    mixed.authentication = { ...mixed.authentication, privateKeyPem: pki.eid.nurse.authentication.privateKeyPem }
    await expect(provisionEidToken(mixed)).rejects.toThrow(/Authentication private key does not match/)
    await expect(provisionEidToken(specFor(pki.eid.doctor, join(work, 'eid-bad'), '12'))).rejects.toThrow(/4 to 255/)
  })

  it('names the apt-get command when a tool is missing', async () => {
    const path = process.env.PATH
    process.env.PATH = join(work, 'no-such-bin')
    try {
      await expect(provisionEidToken(specFor(pki.eid.doctor, join(work, 'eid-no-tools')))).rejects.toThrow(/apt-get install -y softhsm2/)
    } finally {
      process.env.PATH = path
    }
  })
})
