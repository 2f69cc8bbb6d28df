/**
 * Generate the whole sandbox PKI into an empty private directory and write its manifest last.
 *
 * Layout (relative to the directory):
 *   ca/ehealth-ca.{crt,key}.pem  ca/belgium-root-ca.{crt,key}.pem  ca/citizen-ca.{crt,key}.pem
 *   sts/sts.{crt,key}.pem
 *   keystores/SSIN=<ssin> <yyyymmdd-hhmmss>.sandbox.p12       (doctor, nurse, pharmacist)
 *   keystores/NIHII-HOSPITAL=71089914 <yyyymmdd-hhmmss>.sandbox.p12
 *   eid/<ssin>-{authentication,signature}.{crt,key}.pem
 *   manifest.json
 *
 * Keystore names follow the real ones (`SSIN=79021802145 20250514-082150.acc.p12`, egelke/eHI
 * `pki-module` tests) with `sandbox` where the environment goes (`acc`), so a sandbox keystore is
 * never taken for an acceptance one. The timestamp is the creation time, UTC.
 */
import { join } from 'node:path'
import { PEOPLE, SANDBOX_HOSPITAL, type Person } from '../directory-data.js'
import { findPersonById } from '../directory.js'
import { formatDn, type DnAttribute } from './distinguished-name.js'
import { issueCertificate, type CertifiedKey } from './issue-certificate.js'
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_NOTICE,
  MANIFEST_VERSION,
  type ManifestCertificate,
  type ManifestEidCard,
  type ManifestKeystore,
  type SandboxPkiManifest,
} from './manifest.js'
import { buildPkcs12, EHEALTH_KEYSTORE_ALIAS } from './pkcs12.js'
import { makePrivateDir, writePrivateFile } from './private-files.js'
import {
  BELGIUM_ROOT_CA_DN,
  CITIZEN_CA_DN,
  eidDn,
  EHEALTH_CA_DN,
  ehealthOrganizationDn,
  ehealthPersonDn,
  organizationIdentifier,
  STS_DN,
  type EidKeyRole,
} from './sandbox-names.js'
import type { KeystoreId } from './types.js'

/** The demo password of every sandbox keystore. Public on purpose: this is a test sandbox. */
export const SANDBOX_KEYSTORE_PASSWORD = 'sandbox'

const CA_YEARS = 10
const LEAF_YEARS = 3

const PERSON_KEYSTORES = ['doctor', 'nurse', 'pharmacist'] as const satisfies readonly KeystoreId[]

export async function createSandboxPki(dir: string, now: Date): Promise<SandboxPkiManifest> {
  for (const sub of ['ca', 'sts', 'keystores', 'eid']) await makePrivateDir(join(dir, sub))
  const stamp = fileTimestamp(now)

  const [ehealthCa, belgiumRootCa] = await Promise.all([
    issueCertificate({ subject: EHEALTH_CA_DN, purpose: 'ca', years: CA_YEARS, now }),
    issueCertificate({ subject: BELGIUM_ROOT_CA_DN, purpose: 'ca', years: CA_YEARS, now }),
  ])
  const citizenCa = await issueCertificate({
    subject: CITIZEN_CA_DN,
    purpose: 'ca',
    issuer: { dn: BELGIUM_ROOT_CA_DN, key: belgiumRootCa },
    years: CA_YEARS,
    now,
  })
  const byEhealthCa = { dn: EHEALTH_CA_DN, key: ehealthCa }
  const byCitizenCa = { dn: CITIZEN_CA_DN, key: citizenCa }

  const [sts, keystores, eid] = await Promise.all([
    issueCertificate({ subject: STS_DN, purpose: 'sts', issuer: byEhealthCa, years: LEAF_YEARS, now }),
    Promise.all([
      ...PERSON_KEYSTORES.map((id) => writePersonKeystore(dir, id, findPersonById(id), byEhealthCa, stamp, now)),
      writeHospitalKeystore(dir, byEhealthCa, stamp, now),
    ]),
    Promise.all(PEOPLE.map((person) => writeEidCard(dir, person, byCitizenCa, now))),
  ])

  const manifest: SandboxPkiManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    notice: MANIFEST_NOTICE,
    createdAt: now.toISOString(),
    cas: {
      ehealth: await writePair(dir, 'ca/ehealth-ca', ehealthCa, EHEALTH_CA_DN, EHEALTH_CA_DN),
      belgiumRoot: await writePair(dir, 'ca/belgium-root-ca', belgiumRootCa, BELGIUM_ROOT_CA_DN, BELGIUM_ROOT_CA_DN),
      citizen: await writePair(dir, 'ca/citizen-ca', citizenCa, CITIZEN_CA_DN, BELGIUM_ROOT_CA_DN),
    },
    sts: await writePair(dir, 'sts/sts', sts, STS_DN, EHEALTH_CA_DN),
    keystores,
    eid,
  }
  await writePrivateFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
  return manifest
}

interface Issuer {
  dn: readonly DnAttribute[]
  key: CertifiedKey
}

async function writePersonKeystore(dir: string, id: KeystoreId, person: Person, issuer: Issuer, stamp: string, now: Date): Promise<ManifestKeystore> {
  const subject = ehealthPersonDn(person)
  const key = await issueCertificate({ subject, purpose: 'ehealth', issuer, years: LEAF_YEARS, now })
  const p12 = `keystores/SSIN=${person.ssin} ${stamp}.sandbox.p12`
  await writePrivateFile(join(dir, p12), buildPkcs12(key, [issuer.key], SANDBOX_KEYSTORE_PASSWORD))
  return {
    id,
    kind: 'person',
    holder: `${person.givenName} ${person.surname}`,
    p12,
    password: SANDBOX_KEYSTORE_PASSWORD,
    alias: EHEALTH_KEYSTORE_ALIAS,
    subject: formatDn(subject),
    issuer: formatDn(issuer.dn),
    sha256: key.sha256,
    notAfter: notAfterOf(key),
    ssin: person.ssin,
    ...(person.qualities[0] ? { quality: person.qualities[0] } : {}),
  }
}

// The R2024.1 STS announcement's example hospital: the organization keystore its claims
// (`certificateholder:hospital:nihii-number`) go with.
async function writeHospitalKeystore(dir: string, issuer: Issuer, stamp: string, now: Date): Promise<ManifestKeystore> {
  const org = SANDBOX_HOSPITAL
  const subject = ehealthOrganizationDn(org)
  const key = await issueCertificate({ subject, purpose: 'ehealth', issuer, years: LEAF_YEARS, now })
  const p12 = `keystores/${organizationIdentifier(org)} ${stamp}.sandbox.p12`
  await writePrivateFile(join(dir, p12), buildPkcs12(key, [issuer.key], SANDBOX_KEYSTORE_PASSWORD))
  return {
    id: 'hospital',
    kind: 'organization',
    holder: org.name,
    p12,
    password: SANDBOX_KEYSTORE_PASSWORD,
    alias: EHEALTH_KEYSTORE_ALIAS,
    subject: formatDn(subject),
    issuer: formatDn(issuer.dn),
    sha256: key.sha256,
    notAfter: notAfterOf(key),
    organization: { type: org.type, nihii: org.nihii },
  }
}

async function writeEidCard(dir: string, person: Person, issuer: Issuer, now: Date): Promise<ManifestEidCard> {
  const issueRole = async (role: EidKeyRole): Promise<ManifestCertificate> => {
    const subject = eidDn(person, role)
    const key = await issueCertificate({
      subject,
      purpose: role === 'Authentication' ? 'eid-authentication' : 'eid-signature',
      issuer,
      years: LEAF_YEARS,
      now,
    })
    return writePair(dir, `eid/${person.ssin}-${role.toLowerCase()}`, key, subject, issuer.dn)
  }
  const [authentication, signature] = await Promise.all([issueRole('Authentication'), issueRole('Signature')])
  return { personId: person.id, ssin: person.ssin, givenName: person.givenName, surname: person.surname, authentication, signature }
}

async function writePair(
  dir: string,
  base: string,
  key: CertifiedKey,
  subject: readonly DnAttribute[],
  issuer: readonly DnAttribute[],
): Promise<ManifestCertificate> {
  const certificate = `${base}.crt.pem`
  const privateKey = `${base}.key.pem`
  await writePrivateFile(join(dir, certificate), key.certificatePem)
  await writePrivateFile(join(dir, privateKey), key.privateKeyPem)
  return {
    subject: formatDn(subject),
    issuer: formatDn(issuer),
    certificate,
    privateKey,
    sha256: key.sha256,
    notAfter: notAfterOf(key),
  }
}

function notAfterOf(key: CertifiedKey): string {
  return new Date(key.certificate.validTo).toISOString()
}

/** `yyyymmdd-hhmmss`, UTC, as in the real keystore file names. */
function fileTimestamp(now: Date): string {
  const iso = now.toISOString() // 2025-05-14T08:21:50.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`
}
