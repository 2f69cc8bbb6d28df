/**
 * Read a PKI directory written by createSandboxPki. Every certificate is checked against the
 * fingerprint its manifest recorded and every key against its certificate, so a stray edit or a
 * half-copied directory fails here, with the path, rather than as a signature the STS refuses.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { PERSON_IDS, type PersonId } from '../directory-data.js'
import { certifiedKey } from './issue-certificate.js'
import { MANIFEST_FILE, parseManifest, type ManifestCertificate, type ManifestKeystore } from './manifest.js'
import { readPkcs12 } from './pkcs12.js'
import { KEYSTORE_IDS, type KeystoreId, type SandboxCa, type SandboxEidCard, type SandboxKeystore, type SandboxPki, type StoredCertifiedKey } from './types.js'

export async function loadSandboxPki(dirInput: string): Promise<SandboxPki> {
  const dir = resolve(dirInput)
  const manifestPath = join(dir, MANIFEST_FILE)
  const manifest = parseManifest(await readFile(manifestPath, 'utf8'), manifestPath)
  const regenerate = `delete ${dir} to regenerate the sandbox PKI`

  const [ehealthCa, belgiumRootCa, citizenCa, sts] = await Promise.all([
    loadCa(dir, manifest.cas.ehealth),
    loadCa(dir, manifest.cas.belgiumRoot),
    loadCa(dir, manifest.cas.citizen),
    loadPair(dir, manifest.sts),
  ])

  const keystores = {} as Record<KeystoreId, SandboxKeystore>
  for (const id of KEYSTORE_IDS) {
    const entry = manifest.keystores.find((k) => k.id === id)
    if (!entry) throw new Error(`${manifestPath} lists no "${id}" keystore; ${regenerate}`)
    keystores[id] = await loadKeystore(dir, entry)
  }

  const eid = {} as Record<PersonId, SandboxEidCard>
  for (const personId of PERSON_IDS) {
    const entry = manifest.eid.find((c) => c.personId === personId)
    if (!entry) throw new Error(`${manifestPath} lists no eID card for "${personId}"; ${regenerate}`)
    const [authentication, signature] = await Promise.all([loadPair(dir, entry.authentication), loadPair(dir, entry.signature)])
    eid[personId] = { personId, ssin: entry.ssin, givenName: entry.givenName, surname: entry.surname, authentication, signature }
  }

  const all = [ehealthCa, belgiumRootCa, citizenCa, sts, ...Object.values(keystores), ...Object.values(eid).flatMap((c) => [c.authentication, c.signature])]
  const expiresAt = new Date(Math.min(...all.map((k) => new Date(k.certificate.validTo).getTime())))
  return { dir, manifestPath, createdAt: new Date(manifest.createdAt), expiresAt, ehealthCa, sts, belgiumRootCa, citizenCa, keystores, eid }
}

async function loadPair(dir: string, entry: ManifestCertificate): Promise<StoredCertifiedKey> {
  const certificatePath = join(dir, entry.certificate)
  const privateKeyPath = join(dir, entry.privateKey)
  const [certificatePem, keyPem] = await Promise.all([readFile(certificatePath, 'utf8'), readFile(privateKeyPath, 'utf8')])
  checkFingerprint(new X509Certificate(certificatePem), entry.sha256, certificatePath)
  const key = certifiedKey(createPrivateKey(keyPem), certificatePem)
  return { ...key, subject: entry.subject, issuer: entry.issuer, certificatePath, privateKeyPath }
}

async function loadCa(dir: string, entry: ManifestCertificate): Promise<SandboxCa> {
  const pair = await loadPair(dir, entry)
  return { ...pair, name: commonName(pair.certificate) }
}

async function loadKeystore(dir: string, entry: ManifestKeystore): Promise<SandboxKeystore> {
  const p12Path = join(dir, entry.p12)
  const key = readPkcs12(await readFile(p12Path), entry.password, entry.alias)
  checkFingerprint(key.certificate, entry.sha256, p12Path)
  return {
    ...key,
    id: entry.id,
    kind: entry.kind,
    holder: entry.holder,
    p12Path,
    password: entry.password,
    alias: entry.alias,
    subject: entry.subject,
    issuer: entry.issuer,
    ...(entry.ssin !== undefined ? { ssin: entry.ssin } : {}),
    ...(entry.quality ? { quality: entry.quality } : {}),
    ...(entry.organization ? { organization: entry.organization } : {}),
  }
}

function checkFingerprint(certificate: X509Certificate, expected: string, path: string): void {
  if (certificate.fingerprint256 !== expected) {
    throw new Error(`${path} does not hold the certificate its manifest lists (SHA-256 ${expected}); delete the directory to regenerate the sandbox PKI`)
  }
}

function commonName(certificate: X509Certificate): string {
  const line = certificate.subject.split('\n').find((l) => l.startsWith('CN='))
  return line ? line.slice(3) : certificate.subject
}
