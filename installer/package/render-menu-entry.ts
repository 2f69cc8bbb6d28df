import { renderDesktopExec } from '../quote-desktop-exec.js'

/**
 * The application-menu entry of the system-wide installation (Desktop Entry Specification 1.5).
 * It runs `ehagent install` for the user who clicks it: that sets up the per-user service (the
 * package itself cannot: it installs for every user, as root) and starts the agent, whose tray
 * icon then appears. Running it again restarts the agent; install writes the same files twice.
 */
export function renderMenuEntry(installCommand: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.4',
    'Name=ehealth-agent',
    'GenericName=eHealth agent',
    'Comment=Start the eHealth agent now and at every login',
    `Exec=${renderDesktopExec(installCommand)}`,
    'Terminal=false',
    'Categories=Utility;',
    'Keywords=eHealth;eID;SAML;',
    '',
  ].join('\n')
}
