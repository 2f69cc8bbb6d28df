import { SSO_TOKEN_FILE } from '../protocol/saml/sso-token-file.js'
import { buildAgentCommand, INSTALL_NAMES, type InstallContext } from './install-context.js'
import { quoteWindowsArg } from './render-windows-task.js'

/** The per-user keys of the `.ehtoken` handler (HKCU, so no administrator is needed). */
export function listWindowsRegistryKeys(): { extension: string; progId: string; contentType: string } {
  const classes = 'HKEY_CURRENT_USER\\Software\\Classes'
  return {
    extension: `${classes}\\${SSO_TOKEN_FILE.extension}`,
    progId: `${classes}\\${INSTALL_NAMES.windowsProgId}`,
    contentType: `${classes}\\MIME\\Database\\Content Type\\${SSO_TOKEN_FILE.contentType}`,
  }
}

/**
 * The registry file (`reg import`, format "Windows Registry Editor Version 5.00") that makes a
 * double-click on a downloaded `.ehtoken` run `ehagent import-token FILE`: the extension, its
 * ProgID with the open verb, and the MIME type's extension (so browsers name downloads right).
 */
export function renderWindowsRegistry(ctx: InstallContext): string {
  const keys = listWindowsRegistryKeys()
  const open = [...buildAgentCommand(ctx, 'import-token').map(quoteWindowsArg), '"%1"'].join(' ')
  return [
    'Windows Registry Editor Version 5.00',
    '',
    `[${keys.extension}]`,
    `@=${regString(INSTALL_NAMES.windowsProgId)}`,
    `"Content Type"=${regString(SSO_TOKEN_FILE.contentType)}`,
    '',
    `[${keys.progId}]`,
    `@=${regString('eHealth session token')}`,
    '',
    `[${keys.progId}\\shell\\open\\command]`,
    `@=${regString(open)}`,
    '',
    `[${keys.contentType}]`,
    `"Extension"=${regString(SSO_TOKEN_FILE.extension)}`,
    '',
  ].join('\r\n')
}

/** A REG_SZ value: `\` and `"` escaped with a backslash. */
export function regString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}
