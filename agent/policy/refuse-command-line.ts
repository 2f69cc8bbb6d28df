import { AgentError } from '../../protocol/errors.js'
import type { EnvironmentId } from '../../protocol/environments.js'
import { refuseLockedSetting } from '../../protocol/policy/policy-locks.js'
import type { PolicyInEffect } from '../../protocol/policy/policy-schema.js'
import { maskProxyText, parseProxyUrl } from '../net/proxy-url.js'

/**
 * `ehagent start --env/--proxy` against the admin policy: the command line overrides the user's
 * settings, never what the admin fixed. A value equal to the policy's is let through (a script
 * that always passes `--env prod` keeps working on a machine whose policy says prod); `--proxy`
 * naming the policy's proxy with the user's own credentials is the same proxy. Anything else is
 * ERR_SETTING_LOCKED naming the option, the setting and the policy (any password masked).
 */
export function refuseCommandLineOverrides(options: { env?: EnvironmentId | undefined; proxy?: string | undefined }, policy: PolicyInEffect): void {
  const fixed = policy.policy
  if (options.env !== undefined && fixed.environment !== undefined && options.env !== fixed.environment) {
    throw lockedBy(`--env ${options.env}`, 'environment', policy)
  }
  if (options.proxy !== undefined && fixed.proxy !== undefined && !isSameProxy(options.proxy, fixed.proxy)) {
    throw lockedBy(`--proxy ${maskProxyText(options.proxy)}`, 'proxy', policy)
  }
}

function lockedBy(option: string, setting: string, policy: PolicyInEffect): AgentError {
  const locked = refuseLockedSetting(setting, policy)!
  return new AgentError('ERR_SETTING_LOCKED', `${option}: ${locked.message}`, { ...locked.data, option: option.split(' ')[0] })
}

/** Same scheme, host and port (credentials aside: the policy never holds them). */
function isSameProxy(given: string, fixed: string): boolean {
  const a = parseProxyUrl(given)
  const b = parseProxyUrl(fixed)
  return !('error' in a) && !('error' in b) && a.origin === b.origin
}
