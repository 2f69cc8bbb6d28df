import type { PathContext } from '../../protocol/discovery/resolve-paths.js'
import type { ToolRunner } from './load-server.js'
import { findPackageRoot } from './package-json.js'
import type { ParsedArgs } from './parse-args.js'
import type { WaitForAgent } from './wait-for-agent.js'

/**
 * Facts about this machine and this installation that the CLI's entry point (main.ts) gathers
 * (it is the CLI's only reader of the environment), for the commands that install or diagnose.
 */
export interface MachineFacts {
  /** The Node.js binary running us (`process.execPath`): what the service definitions start. */
  nodePath: string
  /** `process.versions.node`. */
  nodeVersion: string
  /** The directory holding package.json and bin/ehagent.js. */
  packageRoot: string
  /** The graphical session, if any: the tray needs one (Linux: X11 or Wayland). */
  display: { DISPLAY?: string; WAYLAND_DISPLAY?: string }
  /** `$XDG_DATA_HOME` (desktop entries, MIME database). */
  xdgDataHome?: string
  /** The login name, and on Windows the domain (`%USERDOMAIN%`): the logon task's account. */
  userName: string
  userDomain?: string
  /**
   * HTTPS_PROXY, HTTP_PROXY, NO_PROXY (and their lower-case forms), for `doctor`, which tests
   * eHealth through the proxy the agent would use. (`start` loads the daemon, which reads its own.)
   */
  proxyEnvironment?: Record<string, string>
}

/** What every command gets: its arguments, the machine facts main.ts gathered, and its streams. */
export interface CliContext {
  args: ParsedArgs
  pathContext: PathContext
  /** Absent in embedders that predate it (test harnesses): {@link readMachineFacts} fills in defaults. */
  machine?: MachineFacts
  /**
   * This is the real `ehagent` in the user's session: `ehagent start` may use its desktop (tray,
   * sign-in pages in the browser). Absent (test harnesses): prompts go to the terminal.
   */
  useDesktop?: boolean
  /**
   * How to run this same `ehagent` again — the Node binary, its flags, the entry script — so that
   * `ehagent start --env sandbox` can start `ehagent sandbox` as a child. Set by the entry point,
   * which knows how it was started (compiled, or from source with tsx).
   */
  selfCommand?: readonly string[]
  version: string
  stdin: NodeJS.ReadStream
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>
  /**
   * Aborted when the process is asked to stop, for the commands that do not handle the stop
   * themselves: their calls to the agent end at once (set by runCli).
   */
  cancel?: AbortSignal
  /** Runs system tools for install/uninstall; tests inject one that never touches the real session. */
  runTool?: ToolRunner
  /** How `ehagent install` waits for the service's agent to answer; default: its discovery file and /health. */
  waitForAgent?: WaitForAgent
  /** Opens a link in the user's browser (`ehagent ui`); default: the platform's launcher. */
  openUrl?: (url: string) => Promise<void>
  /** The clock and time zone times are told in ("until tomorrow 19:57"); default: this machine's. */
  now?: () => Date
  timeZone?: string
}

/**
 * The machine facts, or, when the embedder gave none, what this process can tell without reading
 * the environment: its own Node binary, the package it was loaded from, no display, no user name.
 */
export function readMachineFacts(ctx: CliContext): MachineFacts {
  if (ctx.machine) return ctx.machine
  // Found by walking up, whatever the depth of the file this code is in: clients/cli/ in the
  // sources, dist/clients/cli/ compiled by tsc, dist/bundle/ bundled.
  const root = findPackageRoot(new URL('./', import.meta.url))
  return { nodePath: process.execPath, nodeVersion: process.versions.node, packageRoot: root, display: {}, userName: '' }
}

/** A command returns its exit code. */
export type Command = (ctx: CliContext) => Promise<number>

export function optionString(ctx: CliContext, name: string): string | undefined {
  const v = ctx.args.options[name]
  return typeof v === 'string' ? v : undefined
}

export function optionPort(ctx: CliContext): number | undefined {
  const v = optionString(ctx, 'port')
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port must be a port number (1-65535), not "${v}"`)
  return n
}

/** `--proxy URL`; its syntax is checked where it is used (the daemon, the doctor), which name it. */
export function optionProxy(ctx: CliContext): string | undefined {
  const v = ctx.args.options.proxy
  if (v === true) throw new UsageError('--proxy needs the proxy URL, e.g. --proxy http://proxy.example:3128')
  return v
}

/** `--json`: machine-readable output on stdout (progress and errors stay on stderr). */
export function wantsJson(ctx: CliContext): boolean {
  return ctx.args.options.json === true
}

/** A mistake on the command line: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
