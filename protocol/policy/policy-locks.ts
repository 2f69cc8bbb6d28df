import { AgentError } from '../errors.js'
import type { AgentPolicy, PolicyInEffect, UsePolicyLevel } from './policy-schema.js'
import { USE_POLICIES } from './policy-schema.js'

/** A user setting the policy fixes: its path in the settings file, the value, the policy field. */
export interface SettingLock {
  /** The setting's path in the settings file (`privacyLog.retentionMonths`). */
  setting: string
  value: unknown
  /** The policy field that fixes it. */
  policyField: keyof AgentPolicy
}

/**
 * The settings a policy fixes. `allowedPrograms` and `minimumUsePolicy` fix no setting: they are
 * enforced where a program is paired and where a use is approved.
 */
export function listSettingLocks(policy: AgentPolicy): SettingLock[] {
  const locks: SettingLock[] = []
  const add = (setting: string, value: unknown, policyField: keyof AgentPolicy) => {
    if (value !== undefined) locks.push({ setting, value, policyField })
  }
  add('environment', policy.environment, 'environment')
  add('serviceAllowlist', policy.allowedServiceEndpoints, 'allowedServiceEndpoints')
  add('allowedExtensionIds', policy.allowedExtensionOrigins?.map((o) => o.slice('chrome-extension://'.length)), 'allowedExtensionOrigins')
  add('allowedWebOrigins', policy.allowedWebOrigins, 'allowedWebOrigins')
  add('privacyLog.retentionMonths', policy.auditRetentionMonths, 'auditRetentionMonths')
  add('proxy', policy.proxy, 'proxy')
  // The exceptions go with the proxy: a user's own list could send eHealth traffic around it.
  // The credentials stay the user's (proxyUsername/proxyPassword): each user signs in to the proxy.
  if (policy.proxy !== undefined) add('noProxy', policy.noProxy ?? '', policy.noProxy !== undefined ? 'noProxy' : 'proxy')
  add('language', policy.language, 'language')
  return locks
}

/** The lock on a setting (or on a section holding it, or a setting inside it), if any. */
export function findSettingLock(policy: AgentPolicy, setting: string): SettingLock | undefined {
  return listSettingLocks(policy).find((l) => l.setting === setting || l.setting.startsWith(`${setting}.`) || setting.startsWith(`${l.setting}.`))
}

/**
 * The settings in effect: the user's settings with every value the policy fixes written over
 * them. Pure: a fresh copy; the user's file keeps what the user chose, so removing the policy
 * gives the user's own settings back.
 */
export function applyPolicy<C extends object>(config: C, policy: AgentPolicy): C {
  const copy = structuredClone(config) as Record<string, unknown>
  for (const lock of listSettingLocks(policy)) writeSetting(copy, lock.setting, structuredClone(lock.value))
  return copy as C
}

/** ERR_SETTING_LOCKED for a setting the policy fixes, naming the setting and the policy. */
export function refuseLockedSetting(setting: string, policy: PolicyInEffect): AgentError | undefined {
  const lock = findSettingLock(policy.policy, setting)
  if (!lock) return undefined
  return new AgentError('ERR_SETTING_LOCKED', `the setting "${lock.setting}" is set by your administrator's policy ${policy.origin.location} (${lock.policyField})`, {
    setting: lock.setting,
    policyField: lock.policyField,
    source: policy.origin.location,
  })
}

/**
 * ERR_SETTING_LOCKED for a use policy weaker than the policy's minimum (a pairing asking for it,
 * the clients page choosing it), naming the minimum and the policy; undefined when it is allowed.
 */
export function refuseWeakerUsePolicy(level: UsePolicyLevel, policy: PolicyInEffect): AgentError | undefined {
  const minimum = policy.policy.minimumUsePolicy
  if (minimum === undefined || raiseUsePolicy(level, minimum) === level) return undefined
  return new AgentError('ERR_SETTING_LOCKED', `the use policy "${level}" is weaker than "${minimum}", the minimum your administrator's policy ${policy.origin.location} sets (minimumUsePolicy)`, {
    setting: 'usePolicy',
    policyField: 'minimumUsePolicy',
    minimum,
    source: policy.origin.location,
  })
}

/** The stricter of a program's own use policy and the policy's minimum. */
export function raiseUsePolicy(own: UsePolicyLevel | undefined, minimum: UsePolicyLevel | undefined): UsePolicyLevel {
  const mine = own ?? 'silent'
  if (minimum === undefined) return mine
  return USE_POLICIES.indexOf(minimum) > USE_POLICIES.indexOf(mine) ? minimum : mine
}

/**
 * Whether a soap.call endpoint is allowed by a list: an entry matches exactly, or, ending in
 * '/', as a prefix (the same rule as the user's allowlist).
 */
export function matchesEndpointList(endpoint: string, list: readonly string[]): boolean {
  return list.some((entry) => (entry.endsWith('/') ? endpoint.startsWith(entry) : endpoint === entry))
}

/**
 * Whether an executable is one the policy lets pair. Windows paths compare without case (NTFS
 * names are case-insensitive by default); POSIX paths exactly.
 */
export function isProgramAllowed(executable: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true
  if (executable === undefined) return false
  const windows = (p: string) => /^[A-Za-z]:\\/.test(p) || p.startsWith('\\\\')
  return allowed.some((a) => (windows(a) ? a.toLowerCase() === executable.toLowerCase() : a === executable))
}

function writeSetting(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  node[parts.at(-1)!] = value
}
