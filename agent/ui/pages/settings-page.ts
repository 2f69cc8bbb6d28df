import type { AgentConfig } from '../../config.js'
import { html, type Html } from '../html.js'
import { LANGUAGE_NAMES, isLanguage } from '../i18n/language.js'
import { profileName, type Strings } from '../i18n/strings.js'
import { formValue, hasValue, SETTINGS_FIELDS, type SettingsField } from '../settings-form.js'
import { PROFILES, isProfileId } from '../../../protocol/sts/profiles.js'

/**
 * The settings form; each field says whether it applies at once or after a restart. The settings
 * needing a restart show what the running agent uses now (`ehagent start --port`/`--env` override
 * the file without changing it): the port the pages are on is the one in effect.
 */
export function renderSettingsPage(
  t: Strings,
  config: AgentConfig,
  extra: { csrf: string; values?: Record<string, string>; errors?: Record<string, string>; inEffect?: { port: number; environment: string }; locked?: { fields: ReadonlySet<string>; source: string } },
): Html {
  const fields = SETTINGS_FIELDS.map((field) => {
    const locked = extra.locked?.fields.has(field.name) === true
    // A locked field always shows the policy's value (config is the settings in effect).
    const value = locked ? formValue(config, field) : (extra.values?.[field.name] ?? formValue(config, field))
    const error = extra.errors?.[field.name]
    const id = `f-${field.name.replace(/\./g, '-')}`
    const when = field.restart ? t.settings.afterRestart : t.settings.appliesNow
    const label = html`<label for="${id}">${t.settings.fields[field.name] ?? field.name} <span class="hint">(${when})</span></label>`
    const running = field.name === 'port' ? extra.inEffect?.port : field.name === 'environment' ? extra.inEffect?.environment : undefined
    const effect = running === undefined ? '' : html`<div class="hint" id="${id}-in-effect">${t.settings.inEffect(field.name === 'environment' ? optionLabel(t, field, String(running)) : String(running))}</div>`
    const invalid = error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''
    // Read-only, not disabled, for inputs: the value stays selectable and is sent back unchanged;
    // a select cannot be read-only, so it is disabled (and not sent).
    const lock = locked ? html` readonly aria-readonly="true" data-locked="true" aria-describedby="${id}-lock"` : ''
    const control =
      field.kind === 'select'
        ? html`<select id="${id}" name="${field.name}"${invalid}${locked ? html` disabled data-locked="true" aria-describedby="${id}-lock"` : ''}>${(field.options ?? []).map((o) => html`<option value="${o}"${o === value ? ' selected' : ''}>${optionLabel(t, field, o)}</option>`)}</select>`
        : field.kind === 'lines'
          ? html`<textarea id="${id}" name="${field.name}"${invalid}${lock}>${value}</textarea><div class="hint">${t.settings.onePerLine}</div>`
          : field.kind === 'secret'
            ? html`<input id="${id}" name="${field.name}" type="password" autocomplete="off" value="" placeholder="${hasValue(config, field) ? t.settings.secretKept : t.settings.empty}"${invalid}${lock}>`
            : html`<input id="${id}" name="${field.name}" type="${field.kind === 'number' ? 'number' : 'text'}" value="${value}" placeholder="${field.kind === 'text' ? t.settings.empty : ''}"${invalid}${lock}>`
    const lockNote = locked && extra.locked ? html`<div class="hint locked" id="${id}-lock">${t.settings.lockedBy(extra.locked.source)}</div>` : ''
    return html`<div>${label}${control}${effect}${lockNote}${error ? html`<div class="field-error" id="${id}-error" role="alert">${error}</div>` : ''}</div>`
  })
  return html`<form method="post" action="/ui/admin/settings"><input type="hidden" name="csrf" value="${extra.csrf}">${fields}<div class="actions"><button type="submit">${t.settings.save}</button></div></form>`
}

function optionLabel(t: Strings, field: SettingsField, option: string): string {
  switch (field.name) {
    case 'environment':
      return t.settings.environments[option] ?? option
    case 'login.method':
      return t.settings.methods[option === '' ? 'auto' : option] ?? option
    case 'language':
      return option === '' ? t.settings.systemLanguage : isLanguage(option) ? LANGUAGE_NAMES[option] : option
    case 'defaultProfile':
      return isProfileId(option) ? profileName(t, PROFILES[option]) : option
    default:
      return option
  }
}
