/**
 * The text `ehagent sandbox` prints about the test PKI: where the keystores are and their demo
 * passwords, printed in full on purpose (a public test sandbox has nothing to hide, and an
 * integrator needs them to configure practice software).
 */
import { MANIFEST_NOTICE } from './manifest.js'
import type { SandboxPki } from './types.js'

export function describeSandboxPki(pki: SandboxPki, now: Date = new Date()): string {
  const lines: string[] = [`Sandbox test PKI in ${pki.dir}`, `  ${MANIFEST_NOTICE}`]
  if (pki.expiresAt.getTime() <= now.getTime()) {
    lines.push(`  EXPIRED on ${pki.expiresAt.toISOString()}: delete ${pki.dir} to regenerate it.`)
  }
  lines.push('', 'eHealth keystores (PKCS#12, alias "authentication"; the password opens the store and the key):')
  for (const k of Object.values(pki.keystores)) {
    const who = k.ssin ? `SSIN ${k.ssin}` : `NIHII ${k.organization?.nihii ?? '?'}`
    const quality = k.quality ? `, ${k.quality.quality} NIHII ${k.quality.nihii11}` : ''
    lines.push(`  ${k.id.padEnd(10)} ${k.holder} (${who}${quality})`, `             file     ${k.p12Path}`, `             password ${k.password}`)
  }
  lines.push('', 'eID cards (Authentication and Signature, issued by the TEST Citizen CA):')
  for (const c of Object.values(pki.eid)) {
    lines.push(`  ${c.personId.padEnd(10)} ${c.givenName} ${c.surname} (SSIN ${c.ssin})`, `             ${c.authentication.certificatePath}`)
  }
  lines.push(
    '',
    'Trust anchors:',
    `  eHealth CA        ${pki.ehealthCa.certificatePath}`,
    `  STS certificate   ${pki.sts.certificatePath}`,
    `  Belgium Root CA   ${pki.belgiumRootCa.certificatePath}`,
    `  Citizen CA        ${pki.citizenCa.certificatePath}`,
    `Manifest: ${pki.manifestPath}`,
  )
  return lines.join('\n')
}
