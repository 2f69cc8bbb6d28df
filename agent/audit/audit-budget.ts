/**
 * The privacy log's retention and disk budget: how long records are kept, how much disk they may
 * take, and the state that follows. Shared by the log itself (agent.status, the tray, refusing
 * uses of the token) and `ehagent doctor`, which measures the same directory with the same rules.
 */
import type { PrivacyLogStatus } from '../../protocol/rpc/methods.js'

export interface PrivacyLogLimits {
  /** Records are kept this many months (whole files, by their newest record). */
  retentionMonths: number
  /** Disk the log's files may take; at it, uses of the token are refused. */
  budgetBytes: number
  /** The warning starts at this percentage of the budget. */
  warnPercent: number
}

const MIB = 1024 * 1024

export const DEFAULT_PRIVACY_LOG_LIMITS: PrivacyLogLimits = { retentionMonths: 24, budgetBytes: 1024 * MIB, warnPercent: 90 }

export function warnBytesOf(limits: PrivacyLogLimits): number {
  return Math.floor((limits.budgetBytes * limits.warnPercent) / 100)
}

/** The state that the disk use alone gives. */
export function budgetState(usedBytes: number, limits: PrivacyLogLimits): 'ok' | 'nearly-full' | 'full' {
  if (usedBytes >= limits.budgetBytes) return 'full'
  if (usedBytes >= warnBytesOf(limits)) return 'nearly-full'
  return 'ok'
}

/** Records whose newest time is before this (ms since the epoch) are past retention: `months` calendar months before `now`, in UTC. */
export function retentionCutoff(now: Date, months: number): number {
  const cutoff = new Date(now.getTime())
  const day = cutoff.getUTCDate()
  cutoff.setUTCDate(1)
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months)
  // 31 March minus one month is the last day of February, not 3 March.
  const lastDay = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth() + 1, 0)).getUTCDate()
  cutoff.setUTCDate(Math.min(day, lastDay))
  return cutoff.getTime()
}

/** "912.3 MiB of 1024 MiB (89%)". */
export function describeUsage(usedBytes: number, budgetBytes: number): string {
  const percent = budgetBytes > 0 ? Math.floor((usedBytes / budgetBytes) * 100) : 100
  return `${formatMib(usedBytes)} of ${formatMib(budgetBytes)} (${percent}%)`
}

function formatMib(bytes: number): string {
  const mib = bytes / MIB
  return `${mib >= 100 || Number.isInteger(mib) ? mib.toFixed(0) : mib.toFixed(1)} MiB`
}

/** What is wrong and what to do, for a state other than ok (no path: agent.status answers callers). */
export function describeState(status: Pick<PrivacyLogStatus, 'state' | 'usedBytes' | 'budgetBytes'>, failure?: string): string | undefined {
  const usage = describeUsage(status.usedBytes, status.budgetBytes)
  switch (status.state) {
    case 'ok':
      return undefined
    case 'nearly-full':
      return `the privacy log uses ${usage} of its disk budget; when it is full, soap.sign, soap.call and sign-in are refused (ERR_AUDIT_FULL). Raise privacyLog.maxDiskMiB in the settings, or move old privacy-log files elsewhere`
    case 'full':
      return `the privacy log has reached its disk budget (${usage}): soap.sign, soap.call and sign-in are refused (ERR_AUDIT_FULL) rather than use the token unlogged. Raise privacyLog.maxDiskMiB in the settings and restart the agent, or move old privacy-log files elsewhere`
    case 'failing':
      return `the privacy log could not be written${failure ? ` (${failure})` : ''}: uses of the token fail until it can be. Check the disk and the folder's permissions (ehagent doctor)`
  }
}
