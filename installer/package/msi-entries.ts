import { INSTALL_NAMES } from '../install-context.js'
import { listNativeHostRegistryKeys } from '../render-native-host-registry.js'
import { listWindowsRegistryKeys } from '../render-windows-registry.js'
import { SSO_TOKEN_FILE } from '../../protocol/saml/sso-token-file.js'
import { treeAgentCommand } from './app-tree-layout.js'
import { WINDOWS_HOST_MANIFEST } from './build-windows-tree.js'
import type { WxsInput, WxsRegistryValue } from './render-wxs.js'

/**
 * What the MSI registers besides its files, as the same keys `ehagent install` writes on Windows
 * (installer/render-windows-registry.ts, render-native-host-registry.ts), but pointing into the
 * installation folder: MSI formatted strings where `[INSTALLDIR]` is the folder (with its
 * trailing backslash), every path quoted because a profile path may hold blanks.
 */

const ROOT = 'C:\\@tree@'
const HKCU = 'HKEY_CURRENT_USER\\'

/** A path inside the tree as an MSI formatted string. */
function atInstallDir(word: string): string {
  if (!word.startsWith(`${ROOT}\\`)) throw new Error(`not a path inside the tree: ${word}`)
  const rest = word.slice(ROOT.length + 1)
  // `[` and `]` would be read as properties in a formatted string.
  if (/[[\]"]/.test(rest)) throw new Error(`cannot put ${JSON.stringify(rest)} in an MSI formatted string`)
  return `[INSTALLDIR]${rest}`
}

/** An argument vector of the tree as one formatted command line (the program first). */
function commandLine(argv: readonly string[]): { program: string; args: string } {
  const [program, ...rest] = argv
  return { program: atInstallDir(program!), args: rest.map((w) => (w.startsWith(`${ROOT}\\`) ? `"${atInstallDir(w)}"` : w)).join(' ') }
}

function underHkcu(key: string): string {
  if (!key.startsWith(HKCU)) throw new Error(`not a per-user key: ${key}`)
  return key.slice(HKCU.length)
}

/** The HKCU values: the `.ehtoken` handler and the native messaging host for Chrome and Chromium. */
export function listMsiRegistryValues(): WxsRegistryValue[] {
  const keys = listWindowsRegistryKeys()
  const open = commandLine(treeAgentCommand('win32', ROOT, 'import-token'))
  return [
    { key: underHkcu(keys.extension), value: INSTALL_NAMES.windowsProgId },
    { key: underHkcu(keys.extension), name: 'Content Type', value: SSO_TOKEN_FILE.contentType },
    { key: underHkcu(keys.progId), value: 'eHealth session token' },
    { key: `${underHkcu(keys.progId)}\\shell\\open\\command`, value: `"${open.program}" ${open.args} "%1"` },
    { key: underHkcu(keys.contentType), name: 'Extension', value: SSO_TOKEN_FILE.extension },
    ...listNativeHostRegistryKeys().map((key) => ({ key: underHkcu(key), value: `[INSTALLDIR]${WINDOWS_HOST_MANIFEST}` })),
  ]
}

/**
 * The Start-menu entry and the commands around installation. The entry runs `ehagent install`:
 * it (re)registers the logon task and starts the agent, which then shows its tray icon, so it
 * is also how a user starts an agent they stopped. After the files are installed the MSI runs
 * the same command once; before they are removed, `ehagent uninstall`.
 */
export function listMsiCommands(): Pick<WxsInput, 'shortcut' | 'afterInstall' | 'beforeUninstall'> {
  const install = commandLine(treeAgentCommand('win32', ROOT, 'install'))
  return {
    shortcut: { name: 'ehealth-agent', description: 'Start the eHealth agent now and at every logon', target: install.program, args: install.args },
    afterInstall: install,
    beforeUninstall: commandLine(treeAgentCommand('win32', ROOT, 'uninstall')),
  }
}
