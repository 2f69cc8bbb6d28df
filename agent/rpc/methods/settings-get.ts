import { applyPolicy, listSettingLocks } from '../../../protocol/policy/policy-locks.js'
import { loadConfig } from '../../config.js'
import { defineMethod } from '../method-context.js'

/** Settings never sent over the API, whoever asks (a proxy password). */
const SECRET_SETTING = /password|secret/i

/**
 * `settings.get`: the settings in effect (the user's file with the admin policy's values over
 * them), which ones the policy fixes, and where the policy is read from. For the same user's
 * CLI: paired applications are never given this method.
 */
export const settingsGet = defineMethod({
  name: 'settings.get',
  async handle(_params, { agent }) {
    const own = await loadConfig(agent.settingsFile)
    const effective = applyPolicy(own, agent.policy.policy) as Record<string, unknown>
    const settings = Object.fromEntries(Object.entries(effective).filter(([name]) => !SECRET_SETTING.test(name)))
    return {
      settings,
      locked: listSettingLocks(agent.policy.policy).map((l) => ({ setting: l.setting, policyField: l.policyField })),
      policy: { source: agent.policy.source, present: agent.policy.current.present },
    }
  },
})
