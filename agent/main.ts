/**
 * The daemon's entry point, loaded by the CLI for `ehagent start` (clients/cli/load-server.ts):
 * the only file of the daemon that reads this process's environment (the desktop session's
 * variables); everything below it gets what it needs injected.
 */
import { existsSync } from 'node:fs'
import { isAgentError } from '../protocol/errors.js'
import type { EnvironmentId } from '../protocol/environments.js'
import { resolvePaths, type PathContext } from '../protocol/discovery/resolve-paths.js'
import { systemClock } from './clock.js'
import { loadConfig } from './config.js'
import { readProxyEnvironment } from './net/resolve-proxy.js'
import { parseProxyUrl } from './net/proxy-url.js'
import { choosePrompter } from './consent/choose-prompter.js'
import { readDesktopFacts, type DesktopFacts } from './consent/desktop-facts.js'
import { TerminalPrompter } from './consent/terminal-prompter.js'
import type { SandboxSource } from './environment/resolve-environment.js'
import { applyPolicy } from '../protocol/policy/policy-locks.js'
import type { Platform, PolicyLocation } from './platform/platform.js'
import { selectPlatform } from './platform/select-platform.js'
import { PolicyState } from './policy/policy-state.js'
import { readPolicy } from './policy/read-policy.js'
import { refuseCommandLineOverrides } from './policy/refuse-command-line.js'
import { libuvThreadPoolSize } from './platform/thread-pool-priority.js'
import { startAgent } from './start-agent.js'
import { printBanner } from './start/print-banner.js'
import { whoHoldsThePort } from './start/who-holds-the-port.js'

/** `ehagent start`'s request, as the CLI read it from its command line. */
export interface AgentRunRequest {
  options: {
    env: EnvironmentId | undefined
    port: number | undefined
    stateDir: string | undefined
    /** Answer every prompt with the sandbox's public demo secrets (sandbox only). */
    demo: boolean
    /** Use the sandbox already running there instead of starting one. */
    sandboxUrl: string | undefined
    /** The banner as one line of JSON. */
    json: boolean
    /** `--proxy URL`: eHealth traffic through it, whatever the settings and HTTPS_PROXY say. */
    proxy?: string | undefined
  }
  pathContext: PathContext
  version: string
  /**
   * This is the real `ehagent` in the user's session: the display, the session bus and the
   * locale are read from this process's environment for the tray and the sign-in pages. Off
   * (embedders, tests): prompts go to the terminal.
   */
  useDesktop: boolean
  /** How to run `ehagent` again (node, its flags, the entry script), to start `ehagent sandbox` as a child. */
  selfCommand: readonly string[] | undefined
  stdin: NodeJS.ReadStream
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>
  /** A usage mistake, as the CLI reports them (exit code 2). */
  usageError: (message: string) => Error
}

/**
 * Run the agent in the foreground until the stop signal (or Quit in the tray): settings from the
 * file, overridden by the command line in memory only; the sandbox environment starts `ehagent
 * sandbox` as a child (or uses `--sandbox-url`). Returns the exit code: 0 after a normal stop, 1
 * when the port is taken (reported, naming who holds it); other failures are thrown.
 */
export async function runAgent(request: AgentRunRequest): Promise<number> {
  const { options } = request
  const platform = selectPlatform(process.platform)
  // The admin's policy first: a policy that is not valid stops the agent here, naming the field
  // and the file (ERR_POLICY_INVALID), before anything else is read or started.
  const policyLocation = choosePolicyLocation(platform)
  const policy = new PolicyState(await readPolicy(policyLocation))
  const paths = resolvePaths(options.stateDir, request.pathContext)
  const log = (line: string) => void request.stderr.write(`${line}\n`)
  const config = applyPolicy(await loadConfig(paths.configFile, log), policy.policy)
  // The command line does not override what the admin fixed: refused as settings.set refuses it.
  refuseCommandLineOverrides({ env: options.env, proxy: options.proxy }, policy.current)
  if (options.env !== undefined) config.environment = options.env
  config.port = options.port ?? config.port
  if (options.demo && config.environment !== 'sandbox') {
    throw request.usageError('--demo answers every prompt with the public demo PIN: it exists only for --env sandbox')
  }
  if (options.sandboxUrl !== undefined && config.environment !== 'sandbox') {
    throw request.usageError('--sandbox-url names a sandbox: it exists only for --env sandbox')
  }
  if (options.proxy !== undefined) {
    const parsed = parseProxyUrl(options.proxy)
    if ('error' in parsed) throw request.usageError(`--proxy: ${parsed.error}; give http://host:port (optionally user:password@host:port)`)
  }
  // With a display: the tray and the agent's own pages ask the user (the terminal if no browser
  // opens); without: the terminal. --demo answers by itself but keeps the tray.
  const terminal = { input: request.stdin, output: request.stderr }
  const choice = request.useDesktop ? choosePrompter({ facts: readDesktopEnvironment(platform), terminal }) : undefined
  const desktop = choice ? (options.demo ? { ...choice.desktop, webPrompter: undefined } : choice.desktop) : undefined
  const sandbox: SandboxSource | undefined = options.sandboxUrl !== undefined ? { url: options.sandboxUrl } : request.selfCommand ? { command: request.selfCommand } : undefined

  let agent
  try {
    agent = await startAgent({
      paths,
      config,
      version: request.version,
      clock: systemClock,
      prompter: choice?.prompter ?? new TerminalPrompter({ terminal }),
      log,
      uid: request.pathContext.uid,
      threadPool: { size: libuvThreadPoolSize(process.env.UV_THREADPOOL_SIZE) },
      ...(desktop ? { desktop } : {}),
      ...(config.environment === 'sandbox' && sandbox ? { sandbox } : {}),
      demo: options.demo,
      policy: { state: policy, reread: () => readPolicy(policyLocation) },
      platform,
      // The proxy variables of this process (curl's names); the policy, --proxy and the settings win over them.
      network: { environment: readProxyEnvironment(process.env), ...(options.proxy !== undefined ? { commandLine: options.proxy } : {}) },
    })
  } catch (err) {
    if (isAgentError(err) && err.data.detail === 'port in use') {
      log(`ehealth-agent cannot start: ${err.message}.`)
      log(await whoHoldsThePort(paths.discoveryFile, config.port))
      return 1
    }
    throw err
  }
  printBanner(request.stdout, agent, { json: options.json, version: request.version, demo: options.demo, stateDir: options.stateDir })
  if (choice && !options.demo) log(choice.summary)
  await Promise.race([request.stopSignal, agent.quitRequested])
  log('stopping ehealth-agent…')
  await agent.close()
  return 0
}

/**
 * Where the admin policy is read from: the platform's place, or the file `EHAGENT_POLICY_FILE`
 * names (tests, and trying a policy out before deploying it). `ehagent doctor` reads the same.
 */
export function choosePolicyLocation(platform: Platform): PolicyLocation {
  const file = process.env.EHAGENT_POLICY_FILE
  return file !== undefined && file !== '' ? { kind: 'file', path: file } : platform.policy
}

/** The display, the D-Bus session bus and the locale, from this process's environment. */
function readDesktopEnvironment(platform: Platform): DesktopFacts {
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
      // Where Chromium, Chrome or Edge may be installed, for the prompts' app window.
      PATH: env.PATH,
      HOME: env.HOME,
      ProgramFiles: env.ProgramFiles,
      'ProgramFiles(x86)': env['ProgramFiles(x86)'],
      LOCALAPPDATA: env.LOCALAPPDATA,
    },
    platform.id,
    existsSync,
    // Windows and macOS set no LANG; Intl's default locale is the one the user chose in the OS.
    // Elsewhere it is LANG again, so Intl is not asked: its first use maps some 6 MB of ICU data.
    process.platform === 'win32' || process.platform === 'darwin' ? Intl.DateTimeFormat().resolvedOptions().locale : undefined,
  )
}
