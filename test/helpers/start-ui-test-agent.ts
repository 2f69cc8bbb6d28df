import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { systemClock, type Clock } from '../../agent/clock.js'
import { loadConfig, type AgentConfig } from '../../agent/config.js'
import type { DesktopOptions } from '../../agent/consent/choose-prompter.js'
import { WebPrompter } from '../../agent/consent/web-prompter.js'
import type { KeySource } from '../../agent/keys/key-source.js'
import { resolvePaths, type AgentPaths } from '../../protocol/discovery/resolve-paths.js'
import type { RunningSandbox } from '../../agent/sandbox/server.js'
import { startAgent, type RunningAgent, type StartAgentOptions } from '../../agent/start-agent.js'
import { closingSandboxToo, freePort, startTestSandbox } from './start-test-agent.js'

/** The URLs the agent asked the "browser" to open, in order; `next()` waits for the next one. */
export class OpenedUrls {
  readonly all: string[] = []
  private seen = 0
  private waiters: ((url: string) => void)[] = []

  open = async (url: string): Promise<void> => {
    this.all.push(url)
    const waiter = this.waiters.shift()
    if (waiter) {
      this.seen++
      waiter(url)
    }
  }

  /** The next URL not yet taken; fails after `timeoutMs`. */
  next(timeoutMs = 10_000): Promise<string> {
    if (this.seen < this.all.length) return Promise.resolve(this.all[this.seen++]!)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== take)
        reject(new Error(`no URL was opened within ${timeoutMs} ms`))
      }, timeoutMs)
      const take = (url: string) => {
        clearTimeout(timer)
        resolve(url)
      }
      this.waiters.push(take)
    })
  }

  /** How many were opened and not yet taken. */
  pending(): number {
    return this.all.length - this.seen
  }
}

export interface UiTestAgent {
  /** The agent; its `close()` stops the test's sandbox too. */
  agent: RunningAgent
  /** The sandbox the agent uses, in this test process. */
  sandbox: RunningSandbox
  web: WebPrompter
  opened: OpenedUrls
  stateDir: string
  port: number
  paths: AgentPaths
  logs: string[]
  /** `http://127.0.0.1:<port>` */
  origin: string
}

export interface UiTestAgentOptions {
  /** Reuse a state directory (and port): a restart. */
  stateDir?: string
  port?: number
  keySources?: { keystore?: KeySource; eid?: KeySource }
  /** How long a prompt waits; default 30 s. */
  timeoutMs?: number
  tray?: DesktopOptions['tray']
  clock?: Clock
  locale?: string
  /** Also open each prompt's link for real (after recording it in `opened`). */
  openPrompt?: (url: string) => Promise<void>
  /** The admin policy (startAgent's option). */
  policy?: StartAgentOptions['policy']
}

/**
 * A real agent (real HTTP on loopback, real sandbox, real keystore unless `keySources`) whose
 * user is reached through the web prompter; the "browser" is `opened`, which records the links
 * the agent would open so a test can open them in Chromium. Settings come from the state
 * directory's settings file, as `ehagent start` reads them, so a second start with the same
 * directory is a restart.
 */
export async function startUiTestAgent(options: UiTestAgentOptions = {}): Promise<UiTestAgent> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'agent-ui-'))
  const sandbox = await startTestSandbox()
  const paths = { ...resolvePaths(stateDir, { platform: 'linux', home: stateDir, uid: process.getuid?.() ?? 0, env: {} }), sandboxDir: dirname(sandbox.state.pki.dir) }
  const port = options.port ?? (await freePort())
  const fromFile = await loadConfig(paths.configFile)
  // What `ehagent start --env sandbox --port N` does: flags override the file, in memory only.
  const config: AgentConfig = { ...fromFile, port, environment: 'sandbox' }
  const opened = new OpenedUrls()
  const clock = options.clock ?? systemClock
  const openPrompt = options.openPrompt
  const web = new WebPrompter({
    openUrl: openPrompt
      ? async (url) => {
          await opened.open(url)
          await openPrompt(url)
        }
      : opened.open,
    clock,
    timeoutMs: options.timeoutMs ?? 30_000,
  })
  const logs: string[] = []
  let agent: RunningAgent
  try {
    agent = await startAgent({
      paths,
      config,
      version: 'test',
      clock,
      prompter: web,
      log: (line) => logs.push(line),
      ...(process.getuid ? { uid: process.getuid() } : {}),
      ipv6: false,
      desktop: { locale: options.locale ?? 'en_BE.UTF-8', openUrl: opened.open, webPrompter: web, tray: options.tray ?? { enabled: false, reason: 'not in this test' }, timeZone: 'UTC' },
      ...(options.keySources ? { keySources: options.keySources } : {}),
      sandbox: { url: sandbox.url },
      ...(options.policy ? { policy: options.policy } : {}),
    })
  } catch (err) {
    await sandbox.close()
    throw err
  }
  return { agent: closingSandboxToo(agent, sandbox), sandbox, web, opened, stateDir, port, paths, logs, origin: `http://127.0.0.1:${port}` }
}
