import { posix, win32 } from 'node:path'
import { bundledProgramPath, type BundledProgram } from './bundle-layout.js'
import { DAEMON_NODE_OPTIONS } from './daemon-node-options.js'

/** What the installer needs to know; gathered by the CLI's entry point and passed down, never read here. */
export interface InstallContext {
  /** `process.platform` values: linux, darwin, win32. */
  platform: string
  /** The user's home: every file the installer writes lives under it (tests use a throw-away one). */
  home: string
  env: { XDG_CONFIG_HOME?: string; XDG_DATA_HOME?: string; APPDATA?: string; LOCALAPPDATA?: string }
  /** The absolute path of the Node.js binary the service runs. */
  nodePath: string
  /** The absolute path of bin/ehagent.js. */
  binPath: string
  /** When given, the service and the token handler pass `--state-dir` to the agent. */
  stateDir?: string
  /** Windows: the account of the logon task, `DOMAIN\name` or `name`. */
  windowsUserId?: string
}

/** Names that tie the installed pieces together; changing one orphans earlier installs. */
export const INSTALL_NAMES = {
  systemdUnit: 'ehealth-agent.service',
  launchdLabel: 'be.ehealth-agent',
  windowsTask: 'ehealth-agent',
  /** The file type registered for `.ehtoken` on Windows (HKCU\Software\Classes). */
  windowsProgId: 'ehealth-agent.ssotoken',
  desktopTokenHandler: 'ehealth-agent-import-token.desktop',
  desktopTrayAutostart: 'ehealth-agent-tray.desktop',
  mimePackage: 'ehealth-agent.xml',
  macTokenApp: 'ehealth-agent Token Import.app',
  macTokenAppId: 'be.ehealth-agent.import-token',
  macTokenUti: 'be.ehealth-agent.sso-token',
  /** Where install records what it created, so uninstall removes exactly that. */
  manifest: 'installed.json',
  /** The script a browser starts as the extension's native messaging host (Windows: `.bat`). */
  nativeHostWrapper: 'native-messaging-host',
} as const

/** The path functions of the target OS (a Windows plan can be generated and tested on Linux). */
export function selectPathFunctions(platform: string): typeof posix {
  return platform === 'win32' ? win32 : posix
}

/**
 * A bundled program of the same copy as bin/ehagent.js (dist/bundle/, written by `npm ci` /
 * `npm run build`): `ehagent` is what bin/ehagent.js runs, `native-host` the browser extension's
 * native messaging host.
 */
export function locateBundledProgram(ctx: InstallContext, program: BundledProgram): string {
  const p = selectPathFunctions(ctx.platform)
  return p.join(p.dirname(p.dirname(ctx.binPath)), ...bundledProgramPath(program))
}

/** The bundled native messaging host of the browser extension, beside bin/ in the same copy. */
export function locateNativeHost(ctx: InstallContext): string {
  return locateBundledProgram(ctx, 'native-host')
}

/** The command line that runs the native messaging host (Chrome appends the extension origin). */
export function buildNativeHostCommand(ctx: InstallContext): string[] {
  return [ctx.nodePath, locateNativeHost(ctx), ...(ctx.stateDir ? ['--state-dir', ctx.stateDir] : [])]
}

/** The command line that runs an `ehagent` command, as an argument vector. */
export function buildAgentCommand(ctx: InstallContext, ...args: string[]): string[] {
  return [ctx.nodePath, ctx.binPath, ...args, ...(ctx.stateDir ? ['--state-dir', ctx.stateDir] : [])]
}

/** The command line of the daemon the service runs, `ehagent start`, with the daemon's Node options. */
export function buildDaemonCommand(ctx: InstallContext): string[] {
  const [node, ...rest] = buildAgentCommand(ctx, 'start')
  return [node!, ...DAEMON_NODE_OPTIONS, ...rest]
}
