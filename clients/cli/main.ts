/**
 * The `ehagent` command's entry point (bin/ehagent.js runs it bundled, as dist/bundle/ehagent.js):
 * the only file of the CLI that reads process.argv and the environment; the commands get what
 * they need in their context.
 * The daemon and the sandbox are separate programs that `ehagent start` and `ehagent sandbox`
 * load on demand (load-server.ts); they read their own part of the environment.
 */
import { homedir, userInfo } from 'node:os'
import { pathEnvironment } from '../../protocol/discovery/resolve-paths.js'
import { findPackageRoot, readPackageJson } from './package-json.js'
import { runCli } from './run-cli.js'

/** How this `ehagent` was started, from the script node ran. */
export interface EntryFacts {
  /**
   * The command that runs this same `ehagent` again: the Node binary, the flags it needs (tsx
   * from source) and the entry script. `ehagent start --env sandbox` starts `ehagent sandbox`
   * with it as a child process.
   */
  selfCommand: readonly string[]
}

export async function main(entry: EntryFacts): Promise<void> {
  const root = findPackageRoot(new URL('./', import.meta.url))
  const pkg = readPackageJson(root)
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  const code = await runCli({
    argv: process.argv.slice(2),
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
      proxyEnvironment: readProxyVariables(process.env),
    },
    // The real command in the user's session: `ehagent start` reads its desktop (display, tray
    // host, locale) for the tray and the sign-in pages.
    useDesktop: true,
    selfCommand: entry.selfCommand,
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

/** The login name; a uid without a passwd entry (containers) has none, so fall back to the variable. */
function safeUserName(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? ''
  }
}


/** The proxy variables curl reads (curl(1), ENVIRONMENT), and only those, for `ehagent doctor`. */
function readProxyVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) {
    const value = env[name]
    if (value !== undefined) picked[name] = value
  }
  return picked
}
