import type { AgentPaths } from '../../protocol/discovery/resolve-paths.js'
import type { PeerIdentifier } from '../callers/caller-program.js'
import type { Clock } from '../clock.js'
import type { AgentConfig } from '../config.js'
import type { DesktopOptions } from '../consent/choose-prompter.js'
import type { Prompter } from '../consent/prompter.js'
import type { SandboxLink, SandboxSource } from '../environment/resolve-environment.js'
import type { KeySource } from '../keys/key-source.js'
import type { PolicyInEffect } from '../../protocol/policy/policy-schema.js'
import type { PolicyState } from '../policy/policy-state.js'
import type { Platform } from '../platform/platform.js'
import type { ProxyEnvironment } from '../net/resolve-proxy.js'
import type { AgentServices } from '../rpc/method-context.js'
import type { TrayController } from '../tray/tray-controller.js'
import type { UiGrant } from '../ui/ui-access.js'

/**
 * The steps of start-up, in order. A failure at any of them undoes what the earlier ones started
 * (start-agent.ts); `onStep` is told before each.
 */
export const START_STEPS = ['runtime-dir', 'environment', 'wiring', 'listen', 'listen-ipv6', 'socket', 'credential', 'discovery', 'desktop'] as const
export type StartStep = (typeof START_STEPS)[number]

/** Everything start-up needs, resolved by agent/main.ts (the only reader of argv and env). */
export interface StartAgentOptions {
  paths: AgentPaths
  config: AgentConfig
  version: string
  clock: Clock
  /** Asks the user. With `demo`, the demo prompter replaces it. */
  prompter: Prompter
  /** Prints progress and the banner. */
  log: (line: string) => void
  /** Linux peer-uid check (threat T5); the agent's uid. */
  uid?: number
  /** Listen on ::1 too (default true). */
  ipv6?: boolean
  /**
   * The process's libuv threadpool (its size, UV_THREADPOOL_SIZE as libuv reads it), to run at a
   * lower priority than the event loop (agent/platform/thread-pool-priority.ts). `ehagent start`
   * sets it (agent/main.ts), so a test that runs that command in its own process lowers its own
   * pool too; tests that call startAgent leave it out, and the pool as it is.
   */
  threadPool?: { size: number }
  /**
   * The desktop: the web prompter whose prompts the pages show, the tray icon, the system locale
   * (agent/consent/choose-prompter.ts makes it). Absent: the pages are still served (for links
   * made with `RunningAgent.ui.link`), in English unless the settings say otherwise; no tray.
   */
  desktop?: DesktopOptions
  /** Where the sandbox comes from, for the `sandbox` environment: a child process, or one already running. */
  sandbox?: SandboxSource
  /**
   * Demo mode (sandbox only): prompts are answered with the demo secrets the sandbox publishes,
   * and an IAM Connect sign-in follows the sandbox's redirects (it approves by itself).
   */
  demo?: boolean
  /** How an IAM Connect sign-in reaches the user: the system browser by default. */
  iamConnectOpenUrl?: (url: string) => Promise<void>
  /** How the program behind a connection is found; default: the platform's (agent/callers). */
  identifyPeer?: PeerIdentifier
  /**
   * The proxy inputs that are not settings: HTTPS_PROXY, HTTP_PROXY and NO_PROXY from agent/main.ts's
   * environment, and `ehagent start --proxy URL` (which wins over the settings, which win over
   * the environment). `proxyLoopback` sends loopback requests through the proxy as well: for tests
   * only, whose sandbox is on 127.0.0.1 by design; nothing a user can set reaches it.
   */
  network?: { environment?: ProxyEnvironment; commandLine?: string; proxyLoopback?: boolean }
  /** Key sources to use instead of those the settings name (tests; a host that embeds the agent). */
  keySources?: { keystore?: KeySource; eid?: KeySource }
  /** The OS's choices (agent/platform); default: this machine's. */
  platform?: Platform
  /**
   * The machine's admin policy (agent/policy), already read and valid: its values are written over
   * `config`, and with `reread` it is followed while the agent runs (every `pollMs`, default 2 s).
   * Absent: no policy.
   */
  policy?: { state: PolicyState; reread?: () => Promise<PolicyInEffect>; pollMs?: number }
  /** Told before each start-up step (tests make one fail to check that nothing is left behind). */
  onStep?: (step: StartStep) => void | Promise<void>
}

/** A running agent. */
export interface RunningAgent {
  url: string
  port: number
  services: AgentServices
  /** The sandbox it uses (its manifest; the child's pid when the agent started it), for the sandbox environment. */
  sandbox: SandboxLink | undefined
  credential: string
  /** Where the same user's CLI finds the credential. */
  credentialFile: string
  /** The agent's pages: a fresh one-time link to one (e.g. `ehagent settings` could open it). */
  ui: { link(grant: UiGrant): string }
  /** The proxy eHealth traffic goes through, masked, with where it came from; undefined: direct. */
  proxy: string | undefined
  /** The tray icon once it started, or undefined when there is none (see the log line). */
  tray: Promise<TrayController | undefined>
  /** Resolves when the user chose Quit in the tray: stop the agent then. */
  quitRequested: Promise<void>
  close(): Promise<void>
}
