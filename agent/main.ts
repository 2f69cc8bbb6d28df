import { existsSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { parseArgs } from '../clients/cli/parse-args.js'
import { runCli } from '../clients/cli/run-cli.js'
import { pathEnvironment } from '../protocol/discovery/resolve-paths.js'
import { readDesktopFacts, type DesktopFacts } from './consent/desktop-facts.js'
import { findPackageRoot, readPackageJson } from './package-json.js'

/**
 * The process entry point (bin/ehagent.js): the only place that reads process.argv and the
 * environment (ARCHITECTURE.md); everything else receives what it needs.
 */
export async function main(): Promise<void> {
  const root = findPackageRoot(new URL('./', import.meta.url))
  const pkg = readPackageJson(root)
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  const code = await runCli({
    args: parseArgs(process.argv.slice(2)),
    pathContext: {
      platform: process.platform,
      home: homedir(),
      uid: process.getuid?.() ?? 0,
      env: pathEnvironment(process.env),
    },
    // Facts for install, doctor and the tray check; read here so the commands stay testable.
    machine: {
      nodePath: process.execPath,
      nodeVersion: process.versions.node,
      packageRoot: root,
      display: { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY },
      xdgDataHome: process.env.XDG_DATA_HOME,
      userName: safeUserName(),
      userDomain: process.env.USERDOMAIN,
    },
    // For choosePrompter (agent/consent/choose-prompter.ts), called by `ehagent start`: is there a
    // display and a tray host, and which language do the pages and the tray speak.
    desktop: readDesktopEnvironment(),
    version: pkg.version,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stopSignal,
  })
  process.exitCode = code
  // The agent's timers are unref'd; sockets are closed by then. Exit now rather than linger.
  setImmediate(() => process.exit(code))
}

/** The display, the D-Bus session bus and the locale, from this process's environment. */
function readDesktopEnvironment(): DesktopFacts {
  const env = process.env
  return readDesktopFacts(
    {
      DISPLAY: env.DISPLAY,
      WAYLAND_DISPLAY: env.WAYLAND_DISPLAY,
      DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS,
      XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR,
      LANGUAGE: env.LANGUAGE,
      LC_ALL: env.LC_ALL,
      LC_MESSAGES: env.LC_MESSAGES,
      LANG: env.LANG,
    },
    process.platform,
    existsSync,
    // Windows and macOS set no LANG; Intl's default locale is the one the user chose in the OS.
    Intl.DateTimeFormat().resolvedOptions().locale,
  )
}

/** The login name; a uid without a passwd entry (containers) has none, so fall back to the variable. */
function safeUserName(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? ''
  }
}
