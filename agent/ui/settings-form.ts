/**
 * The settings page's form, field by field: how each setting of agent/config.ts is edited, read
 * back from the submitted form, validated by the same schema as the settings file, and whether
 * the running agent picks a change up at once or only after a restart.
 *
 * The running agent resolved its settings once at start-up (options are resolved
 * once, then injected), so everything but the pages' language and the websites allowed for the
 * browser extension needs a restart; the page says which.
 */
import { ENVIRONMENT_IDS } from '../../protocol/environments.js'
import { PROFILE_IDS } from '../../protocol/sts/profiles.js'
import { CONFIG_SCHEMA, type AgentConfig } from '../config.js'
import { LOGIN_METHODS } from '../keys/key-ring.js'
import { maskProxyText } from '../net/proxy-url.js'
import { LANGUAGES } from './i18n/language.js'

/**
 * `secret`: never rendered (a password input, always empty); left empty it keeps the value.
 * `masked`: a text whose password part is shown as `***`; sent back unchanged it keeps the value.
 */
export type SettingsFieldKind = 'select' | 'number' | 'text' | 'lines' | 'secret' | 'masked'

export interface SettingsField {
  /** The setting's path in the file (`login.keystore`); also the form field's name. */
  name: string
  kind: SettingsFieldKind
  /** For selects: the values; '' means "not set" (the default applies). */
  options?: readonly string[]
  /** False only for what the running agent applies at once. */
  restart: boolean
}

export const SETTINGS_FIELDS: readonly SettingsField[] = [
  { name: 'environment', kind: 'select', options: ENVIRONMENT_IDS, restart: true },
  { name: 'defaultProfile', kind: 'select', options: PROFILE_IDS, restart: true },
  { name: 'login.method', kind: 'select', options: ['', ...LOGIN_METHODS], restart: true },
  { name: 'login.keystore', kind: 'text', restart: true },
  { name: 'login.pkcs11Module', kind: 'text', restart: true },
  { name: 'login.pkcs11TokenLabel', kind: 'text', restart: true },
  { name: 'tokenLifetimeMinutes', kind: 'number', restart: true },
  { name: 'stsProtocol', kind: 'select', options: ['ws-trust', 'saml-p'], restart: true },
  { name: 'trustedStsCertificates', kind: 'lines', restart: true },
  { name: 'extraCaFile', kind: 'text', restart: true },
  { name: 'proxy', kind: 'masked', restart: true },
  { name: 'proxyUsername', kind: 'text', restart: true },
  { name: 'proxyPassword', kind: 'secret', restart: true },
  { name: 'noProxy', kind: 'text', restart: true },
  { name: 'allowedExtensionIds', kind: 'lines', restart: true },
  { name: 'allowedWebOrigins', kind: 'lines', restart: false },
  { name: 'serviceAllowlist', kind: 'lines', restart: true },
  { name: 'privacyLog.retentionMonths', kind: 'number', restart: true },
  { name: 'port', kind: 'number', restart: true },
  { name: 'language', kind: 'select', options: ['', ...LANGUAGES], restart: false },
]

/** A field's current value as the form shows it (text; lines joined by newlines; secrets never). */
export function formValue(config: AgentConfig, field: SettingsField): string {
  const value = readPath(config, field.name)
  if (value === undefined || field.kind === 'secret') return ''
  if (Array.isArray(value)) return value.join('\n')
  return field.kind === 'masked' ? maskProxyText(String(value)) : String(value)
}

/** Whether a secret field holds a value (the page says so without showing it). */
export function hasValue(config: AgentConfig, field: SettingsField): boolean {
  return readPath(config, field.name) !== undefined
}

/** The outcome of a submitted form: the new settings, or why not, per field. */
export type SettingsResult =
  | { ok: true; config: AgentConfig; changed: string[] }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> }

/**
 * The settings a submitted form asks for, starting from `current` (what the file holds), checked
 * with CONFIG_SCHEMA. Unknown form fields are ignored; a field left out keeps its value.
 */
export function readSettingsForm(form: Record<string, unknown>, current: AgentConfig, messages: { notANumber: string }): SettingsResult {
  const candidate = structuredClone(current) as Record<string, unknown>
  const errors: Record<string, string> = {}
  const values: Record<string, string> = {}
  for (const field of SETTINGS_FIELDS) {
    const raw = form[field.name]
    if (typeof raw !== 'string') {
      values[field.name] = formValue(current, field)
      continue
    }
    values[field.name] = raw
    const text = raw.trim()
    switch (field.kind) {
      case 'number': {
        if (!/^\d{1,9}$/.test(text)) errors[field.name] = messages.notANumber
        else writePath(candidate, field.name, Number(text))
        break
      }
      case 'lines':
        writePath(candidate, field.name, text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))
        break
      case 'secret':
        // Never shown, so an empty field means "unchanged"; the page offers no way to read it back.
        values[field.name] = ''
        if (text !== '') writePath(candidate, field.name, raw)
        break
      case 'masked': {
        // The form showed the password as ***: sent back so, it stands for the stored one.
        const stored = readPath(current, field.name)
        const password = typeof stored === 'string' ? /^(?:[^/]*\/\/)?[^@/:]*:([^@/]*)@/.exec(stored)?.[1] : undefined
        const restored = password !== undefined ? text.replace(/^((?:[^/]*\/\/)?[^@/:]*):\*\*\*@/, (_m, head: string) => `${head}:${password}@`) : text
        writePath(candidate, field.name, restored === '' ? undefined : restored)
        break
      }
      default:
        writePath(candidate, field.name, text === '' ? undefined : text)
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values }
  const parsed = CONFIG_SCHEMA.safeParse(candidate)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String)
      const field = SETTINGS_FIELDS.find((f) => f.name === path.slice(0, f.name.split('.').length).join('.'))
      const name = field?.name ?? path[0] ?? ''
      errors[name] ??= issue.message
    }
    return { ok: false, errors, values }
  }
  const changed = SETTINGS_FIELDS.filter((f) => JSON.stringify(readPath(current, f.name)) !== JSON.stringify(readPath(parsed.data, f.name))).map((f) => f.name)
  return { ok: true, config: parsed.data, changed }
}

/**
 * Take the fields the admin policy fixes out of a submitted form. The page shows them read-only
 * with the policy's value, so a browser sends that value back (or nothing, for a disabled
 * select): that is dropped, and the user's file keeps the user's own value. A different value
 * can only come from a forced submit: refused, field by field.
 */
export function removeLockedFields(form: Record<string, unknown>, effective: AgentConfig, locked: ReadonlySet<string>): { form: Record<string, unknown>; refused: string[] } {
  const kept: Record<string, unknown> = {}
  const refused: string[] = []
  for (const [name, raw] of Object.entries(form)) {
    const field = SETTINGS_FIELDS.find((f) => f.name === name)
    if (!field || !locked.has(name)) {
      kept[name] = raw
      continue
    }
    if (typeof raw === 'string' && normalize(raw, field) !== normalize(formValue(effective, field), field)) refused.push(name)
  }
  return { form: kept, refused }
}

function normalize(text: string, field: SettingsField): string {
  return field.kind === 'lines'
    ? text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n')
    : text.trim()
}

function readPath(config: object, path: string): unknown {
  let value: unknown = config
  for (const part of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined
  return value
}

function writePath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  const last = parts.at(-1)!
  if (value === undefined) delete node[last]
  else node[last] = value
}
