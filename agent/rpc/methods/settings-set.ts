import { AgentError } from '../../../protocol/errors.js'
import { refuseLockedSetting } from '../../../protocol/policy/policy-locks.js'
import { loadConfig, saveConfig } from '../../config.js'
import { readSettingsForm, SETTINGS_FIELDS } from '../../ui/settings-form.js'
import { defineMethod } from '../method-context.js'

/**
 * `settings.set {name, value}`: change one setting of the user's settings file, checked as the
 * settings page checks it (same fields, same schema). A setting the admin policy fixes is refused
 * with ERR_SETTING_LOCKED naming it and the policy, and the refusal is in the privacy log. For
 * the same user's CLI: paired applications are never given this method. The change applies at
 * the next start (`restart`).
 */
export const settingsSet = defineMethod({
  name: 'settings.set',
  async handle(params, { agent, caller }) {
    const field = SETTINGS_FIELDS.find((f) => f.name === params.name)
    if (!field) {
      throw new AgentError('ERR_INVALID_PARAMS', `there is no setting "${params.name.slice(0, 64)}" that can be set; settings: ${SETTINGS_FIELDS.map((f) => f.name).join(', ')}`, {
        issues: [{ path: 'name', message: 'unknown setting' }],
      })
    }
    const locked = refuseLockedSetting(field.name, agent.policy.current)
    if (locked) {
      agent.audit.record({ event: 'settings.set', client: { id: caller.id, name: caller.name }, method: 'settings.set', outcome: 'rejected', errorCode: locked.code })
      throw locked
    }
    const current = await loadConfig(agent.settingsFile)
    const result = readSettingsForm({ [field.name]: params.value }, current, { notANumber: 'a whole number is expected' })
    if (!result.ok) {
      const message = result.errors[field.name] ?? Object.values(result.errors)[0] ?? 'not valid'
      throw new AgentError('ERR_INVALID_PARAMS', `${field.name}: ${message}`, { issues: [{ path: 'value', message }] })
    }
    await saveConfig(agent.settingsFile, result.config)
    agent.audit.record({ event: 'settings.set', client: { id: caller.id, name: caller.name }, method: 'settings.set', outcome: 'ok' })
    const changed = result.changed.includes(field.name)
    // The running agent follows a change only through its own settings page; a change made here
    // applies at the next start, whatever the field.
    return { name: field.name, changed, restart: changed }
  },
})
