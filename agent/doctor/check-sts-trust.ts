import { X509Certificate } from 'node:crypto'
import { ENVIRONMENTS } from '../../protocol/environments.js'
import { describeCertificate } from '../../protocol/pki/describe-certificate.js'
import type { AgentConfig } from '../config.js'
import { makeCheck, type DoctorCheck, type DoctorItem } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

const ID = 'sts-trust'
const DAY_MS = 24 * 3600_000
/** How long before a CA expires the doctor starts warning: time to get an updated version out. */
export const CA_EXPIRY_WARNING_DAYS = 90

/**
 * What the agent trusts to sign STS tokens in the configured environment: the CA bundle it ships
 * (each CA and its expiry; a warning from 90 days before one expires) and the STS certificates
 * the settings pin. The sandbox publishes its own test CAs, so there is nothing to check here.
 */
export async function checkStsTrust(env: DoctorEnvironment, config: AgentConfig | undefined): Promise<DoctorCheck> {
  if (!config) return makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)')
  if (config.environment === 'sandbox') return makeCheck(ID, 'ok', 'sandbox: the agent trusts the test CAs the sandbox publishes, and its STS by name (OU=IAMSANDBOX)')
  const environment = ENVIRONMENTS[config.environment]
  let bundle
  try {
    bundle = await env.loadCaBundle(config.environment)
  } catch (err) {
    return makeCheck(ID, 'fail', `the CA bundle for ${environment.label} cannot be read: ${(err as Error).message}`, 'reinstall ehealth-agent')
  }
  const now = env.now()
  const items: Item[] = bundle.map(({ file, certificate }) => expiryItem(describeCertificate(certificate), `${file}`, now, 'bundle'))
  for (const file of config.trustedStsCertificates) {
    try {
      items.push(expiryItem(describeCertificate(new X509Certificate(await env.readFile(file))), file, now, 'pinned'))
    } catch (err) {
      items.push({ name: file, status: 'warn', detail: `pinned STS certificate cannot be read: ${(err as Error).message}` })
    }
  }
  const valid = items.filter((i) => i.status !== 'expired' && i.kind === 'bundle')
  const soon = items.filter((i) => i.status === 'warn')
  const summary = `${environment.label}: an STS signer is trusted when it chains to one of ${bundle.length} bundled CA certificates and is named OU=${environment.stsSignerOu}` +
    (config.trustedStsCertificates.length ? `, or is one of ${config.trustedStsCertificates.length} pinned certificate(s)` : '')
  if (valid.length === 0) return makeCheck(ID, 'fail', `${summary}; every bundled CA has expired`, 'update ehealth-agent: its CA bundle is out of date', items.map(strip))
  if (soon.length > 0) {
    return makeCheck(ID, 'warn', `${summary}; ${soon.map((i) => i.name).join(', ')} expire(s) within ${CA_EXPIRY_WARNING_DAYS} days`, 'update ehealth-agent before then (a newer version ships the successor CA), or pin the new STS certificate with trustedStsCertificates', items.map(strip))
  }
  return makeCheck(ID, 'ok', summary, '', items.map(strip))
}

type Item = Omit<DoctorItem, 'status'> & { kind?: 'bundle' | 'pinned'; status: DoctorItem['status'] | 'expired' }

function expiryItem(d: ReturnType<typeof describeCertificate>, file: string, now: number, kind: 'bundle' | 'pinned'): Item {
  const notAfter = Date.parse(d.notAfter)
  const days = Math.floor((notAfter - now) / DAY_MS)
  const name = `${/(?:^|, )CN=([^,]+)/.exec(d.subject)?.[1] ?? d.subject} (${file})`
  const base = { name, notAfter: d.notAfter, sha256: d.sha256, kind }
  if (notAfter <= now) {
    const detail = kind === 'bundle' ? `expired on ${d.notAfter.slice(0, 10)}: only tokens issued before then chain to it` : `expired on ${d.notAfter.slice(0, 10)}: remove it from trustedStsCertificates`
    return { ...base, status: kind === 'bundle' ? 'expired' : 'warn', detail }
  }
  if (days < CA_EXPIRY_WARNING_DAYS) return { ...base, status: 'warn', detail: `expires on ${d.notAfter.slice(0, 10)}, in ${days} day(s)` }
  return { ...base, status: 'ok', detail: `valid until ${d.notAfter.slice(0, 10)}` }
}

/** The public form of an item: an expired bundle CA is reported, not warned about (it is kept on purpose). */
function strip(item: Item): DoctorItem {
  const { kind: _kind, ...rest } = item
  return { ...rest, status: item.status === 'expired' ? 'ok' : item.status }
}
