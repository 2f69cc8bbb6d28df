import { buildDaemonCommand, type InstallContext } from './install-context.js'

/**
 * The systemd user unit (systemd.service(5), systemd.unit(5)) that runs the agent for this user:
 * no root, started with the user's manager (default.target), restarted when it crashes but not
 * when the user quits it from the tray (Restart=on-failure). The absolute node path is used
 * because a user manager's PATH is not the login shell's (nvm, NodeSource in /usr/local).
 */
export function renderSystemdUnit(ctx: InstallContext): string {
  const exec = buildDaemonCommand(ctx).map(quoteSystemdArg).join(' ')
  return [
    '# Installed by `ehagent install`; removed by `ehagent uninstall`.',
    '[Unit]',
    'Description=ehealth-agent: eHealth session and SOAP signing for local software',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    'Restart=on-failure',
    'RestartSec=5',
    // The agent holds keys in memory: no core dumps (threat T7), and nothing it does needs more.
    'LimitCORE=0',
    'NoNewPrivileges=yes',
    'UMask=0077',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n')
}

/**
 * One ExecStart word: double-quoted when it holds blanks or quotes, with `\` and `"` escaped;
 * `%` (specifiers) and `$` (variable expansion) doubled so paths are taken literally
 * (systemd.service(5) "Command lines", systemd.unit(5) "Specifiers").
 */
export function quoteSystemdArg(word: string): string {
  const literal = word.replace(/%/g, '%%').replace(/\$/g, '$$$$')
  if (literal !== '' && !/[\s"'\\;]/.test(literal)) return literal
  return `"${literal.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}
