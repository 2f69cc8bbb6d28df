/**
 * The admin policy as Windows stores it: values under `HKLM\SOFTWARE\Policies\ehealth-agent`,
 * where Group Policy writes them, read by the agent with `reg query <key> /s` and decoded here
 * (pure, so the decoding is tested on recorded output on any OS).
 *
 * The output format is the one Microsoft documents for `reg query` (Microsoft Learn, Windows
 * Commands, "reg query"): a line with the full key path, then one line per value, indented by
 * four spaces, `name    TYPE    data`, the fields separated by four spaces; REG_DWORD and
 * REG_QWORD data in hexadecimal (`0x18`), REG_MULTI_SZ strings joined by the two characters
 * `\0`; with `/s` each subkey follows as its own block after an empty line.
 *
 * Lists may also be written as a subkey whose values are the entries (`1`, `2`, … — the
 * convention of browser policies such as Chrome's ExtensionInstallForcelist), which is how
 * Group Policy's list editor stores them.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import type { PolicyOrigin } from './policy-schema.js'

/** One registry value as `reg query` prints it. */
export interface RegistryValue {
  name: string
  type: string
  /** The data column as printed (may be empty). */
  data: string
}

/** One key: its values, and its subkeys by name (relative to the queried key). */
export interface RegistryKey {
  values: RegistryValue[]
  subkeys: Record<string, RegistryValue[]>
}

const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/

/** Split `reg query /s` output into the queried key's values and its subkeys' values. */
export function parseRegQueryOutput(text: string, origin: PolicyOrigin): RegistryKey {
  const key: RegistryKey = { values: [], subkeys: {} }
  let root: string | undefined
  let current: RegistryValue[] | undefined
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue
    if (/^HKEY_[A-Z_]+(\\|$)/.test(line)) {
      const path = line.trimEnd()
      if (root === undefined) {
        root = path
        current = key.values
      } else if (path.toLowerCase().startsWith(`${root.toLowerCase()}\\`)) {
        const name = path.slice(root.length + 1)
        if (name.includes('\\')) throw invalid(origin, name, 'the policy has no keys nested two levels deep')
        current = key.subkeys[name] = []
      } else {
        throw invalid(origin, path, 'a key outside the queried one')
      }
      continue
    }
    // `reg query /f` adds a summary line; harmless if present.
    if (/^End of search:/.test(line)) continue
    const match = VALUE_LINE.exec(line)
    if (!match || current === undefined) throw invalid(origin, line.trim().slice(0, 80), 'a line reg query does not print')
    current.push({ name: match[1]!, type: match[2]!, data: match[3] ?? '' })
  }
  return key
}

/**
 * The policy object a registry key holds: each value by its name, decoded by its type; each
 * subkey a list of its values' data in the order of their names (1, 2, …, 10). The schema
 * (checkPolicy) then checks names and values, so a misspelt value name is an error as in the file.
 */
export function decodeRegistryPolicy(key: RegistryKey, origin: PolicyOrigin): Record<string, unknown> {
  const policy: Record<string, unknown> = {}
  for (const value of key.values) {
    // The key's unnamed default value: not part of the policy (and unset on a fresh key).
    if (value.name === '(Default)') continue
    policy[value.name] = decodeValue(value, origin, value.name)
  }
  for (const [name, values] of Object.entries(key.subkeys)) {
    if (name in policy) throw invalid(origin, name, 'given both as a value and as a subkey')
    const entries = values.filter((v) => v.name !== '(Default)')
    entries.sort((a, b) => compareNames(a.name, b.name))
    policy[name] = entries.flatMap((v) => {
      const decoded = decodeValue(v, origin, `${name}\\${v.name}`)
      return Array.isArray(decoded) ? decoded : [decoded]
    })
  }
  return policy
}

function decodeValue(value: RegistryValue, origin: PolicyOrigin, field: string): unknown {
  switch (value.type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return value.data
    case 'REG_DWORD':
    case 'REG_QWORD': {
      if (!/^0x[0-9a-fA-F]{1,16}$/.test(value.data)) throw invalid(origin, field, `${value.type} data "${value.data.slice(0, 40)}" is not 0x followed by hexadecimal digits`)
      return Number(BigInt(value.data))
    }
    case 'REG_MULTI_SZ':
      // reg query prints the separating NULs as the two characters \0; empty strings are dropped.
      return value.data.split('\\0').filter((s) => s !== '')
    default:
      throw invalid(origin, field, `${value.type} is not a type the policy uses (REG_SZ, REG_DWORD, REG_MULTI_SZ)`)
  }
}

/** 1, 2, …, 10 numerically; other names after them, alphabetically. */
function compareNames(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : undefined
  const nb = /^\d+$/.test(b) ? Number(b) : undefined
  if (na !== undefined && nb !== undefined) return na - nb
  if (na !== undefined) return -1
  if (nb !== undefined) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

function invalid(origin: PolicyOrigin, field: string, detail: string): AgentError {
  return new AgentError('ERR_POLICY_INVALID', `the admin policy ${origin.location} is not valid: ${field}: ${detail}`, { source: origin.location, field, detail })
}
