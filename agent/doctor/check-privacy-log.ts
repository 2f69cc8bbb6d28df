import { budgetState, describeUsage, warnBytesOf, type PrivacyLogLimits } from '../audit/audit-budget.js'
import { classifyAuditFile } from '../audit/audit-file-names.js'
import type { AgentConfig } from '../config.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

const ID = 'privacy-log'

/**
 * The privacy log's folder against its settings, measured the way the agent measures it (the
 * same file names, the same budget rules): writable, and how full. At the budget the agent
 * refuses every use of the token (ERR_AUDIT_FULL), so that fails; from the warning level on it
 * warns. Either way the fix names the setting and the folder.
 */
export async function checkPrivacyLog(env: DoctorEnvironment, config: AgentConfig | undefined): Promise<DoctorCheck> {
  if (!config) return makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)')
  const dir = env.paths.auditDir
  const limits: PrivacyLogLimits = { retentionMonths: config.privacyLog.retentionMonths, budgetBytes: config.privacyLog.maxDiskMiB * 1024 * 1024, warnPercent: config.privacyLog.warnAtPercent }
  let entries: { name: string; size: number }[]
  try {
    entries = await env.listFiles(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return makeCheck(ID, 'ok', `${dir} does not exist yet: the agent creates it at its first start (budget ${describeUsage(0, limits.budgetBytes)})`)
    return makeCheck(ID, 'fail', `${dir} cannot be read: ${(err as Error).message}`, `make ${dir} readable and writable by this user (chmod 700)`)
  }
  let used = 0
  let files = 0
  let oldest = Number.POSITIVE_INFINITY
  for (const entry of entries) {
    const kind = classifyAuditFile(entry.name)
    if (!kind || kind.kind === 'temp') continue
    used += entry.size
    files++
    if (kind.kind === 'rotated') oldest = Math.min(oldest, kind.oldest)
  }
  const since = Number.isFinite(oldest) ? `, records since ${new Date(oldest).toISOString().slice(0, 10)}` : ''
  const detail = `${dir}: ${describeUsage(used, limits.budgetBytes)} in ${files} file${files === 1 ? '' : 's'}${since}; kept ${limits.retentionMonths} months`
  if (!env.isWritable(dir)) return makeCheck(ID, 'fail', `${detail}; the folder is not writable, so every use of the token fails`, `make ${dir} writable by this user (chmod 700)`)
  const makeRoom = `raise privacyLog.maxDiskMiB in ${env.paths.configFile} and restart the agent, or move old files (audit-*.jsonl.gz) out of ${dir} to an archive`
  switch (budgetState(used, limits)) {
    case 'full':
      return makeCheck(ID, 'fail', `${detail}; the disk budget is reached: the agent refuses soap.sign, soap.call and sign-in (ERR_AUDIT_FULL) rather than use the token unlogged`, makeRoom)
    case 'nearly-full':
      return makeCheck(ID, 'warn', `${detail}; past the warning level (${describeUsage(warnBytesOf(limits), limits.budgetBytes)}): at the budget, uses of the token will be refused`, makeRoom)
    default:
      return makeCheck(ID, 'ok', detail)
  }
}
