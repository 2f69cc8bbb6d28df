import { SSO_TOKEN_FILE } from '../protocol/saml/sso-token-file.js'
import { buildAgentCommand, INSTALL_NAMES, type InstallContext } from './install-context.js'
import { renderDesktopExec } from './quote-desktop-exec.js'

/**
 * The handler that opens a downloaded SSO token (`.ehtoken`; I.AM fat-client SSO spec v1.0) in the
 * agent: a hidden application entry claiming the token's MIME type, so a file manager or browser
 * "open" runs `ehagent import-token FILE` (Desktop Entry Specification 1.5; MimeType, %f).
 */
export function renderTokenHandlerEntry(ctx: InstallContext): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.4',
    'Name=ehealth-agent: import eHealth session token',
    'Comment=Use a session token downloaded from the eHealth IDP in ehealth-agent',
    `Exec=${renderDesktopExec(buildAgentCommand(ctx, 'import-token'), '%f')}`,
    `MimeType=${SSO_TOKEN_FILE.contentType};`,
    'NoDisplay=true',
    'Terminal=false',
    'Categories=Utility;',
    '',
  ].join('\n')
}

/**
 * The tray's autostart entry (XDG Autostart Specification): the agent draws the tray, but a
 * systemd user service starts before the graphical session and does not see its display. At
 * login this hands DISPLAY / WAYLAND_DISPLAY to the user manager and restarts the agent, which
 * then shows its tray; nobody is signed in yet at that moment, so the restart loses nothing.
 */
export function renderTrayAutostartEntry(): string {
  const script =
    'systemctl --user import-environment DISPLAY WAYLAND_DISPLAY XAUTHORITY DBUS_SESSION_BUS_ADDRESS; ' +
    `systemctl --user restart ${INSTALL_NAMES.systemdUnit}`
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.4',
    'Name=ehealth-agent tray',
    'Comment=Shows the ehealth-agent icon in the system tray at login',
    `Exec=${renderDesktopExec(['sh', '-c', script])}`,
    'NoDisplay=true',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}
