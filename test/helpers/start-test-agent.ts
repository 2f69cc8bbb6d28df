import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { systemClock, type Clock } from '../../agent/clock.js'
import { defaultConfig, type AgentConfig } from '../../agent/config.js'
import { ScriptedPrompter, type PromptScript } from '../../agent/consent/scripted-prompter.js'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import type { SandboxOptions } from '../../agent/sandbox/sandbox-state.js'
import { startSandbox, type RunningSandbox } from '../../agent/sandbox/server.js'
import { startAgent, type RunningAgent, type StartAgentOptions } from '../../agent/start-agent.js'
import { sharedSandboxPki } from './sandbox-pki.js'

/** A free TCP port on 127.0.0.1 (the agent's guards need to know its port up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface TestAgent {
  /** The agent; its `close()` stops the test's sandbox too. */
  agent: RunningAgent
  /** The sandbox the agent uses, running in this test process (its state: PKI, faults, IAM Connect). */
  sandbox: RunningSandbox
  prompter: ScriptedPrompter
  stateDir: string
  port: number
}

/**
 * The sandbox, started in the test's own process (tests may import both programs; it keeps the
 * suite fast and gives the test the sandbox's state), on the test run's shared PKI.
 */
export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const pki = await sharedSandboxPki()
  return startSandbox({ stateDir: dirname(pki.dir), port: 0, options })
}

/**
 * `agent`, whose close() also stops `sandbox`: a test stops what it started with one call.
 */
export function closingSandboxToo(agent: RunningAgent, sandbox: RunningSandbox): RunningAgent {
  return {
    ...agent,
    async close() {
      try {
        await agent.close()
      } finally {
        await sandbox.close()
      }
    },
  }
}

/**
 * Start a real agent (real HTTP on loopback, real sandbox, real keystore) in a throw-away state
 * directory, with a scripted Prompter standing in for the user. The sandbox runs in this process
 * (startTestSandbox) and the agent is given its URL, as `ehagent start --sandbox-url` does.
 */
export async function startTestAgent(
  options: {
    script?: PromptScript
    config?: Partial<AgentConfig>
    clock?: Clock
    iamConnectOpenUrl?: (url: string) => Promise<void>
    sandbox?: Partial<SandboxOptions>
    onStep?: StartAgentOptions['onStep']
    /** How the program behind a connection is found; default the platform's. */
    identifyPeer?: StartAgentOptions['identifyPeer']
    /** Key sources instead of those the settings name (startAgent's option). */
    keySources?: StartAgentOptions['keySources']
    /** The admin policy (startAgent's option). */
    policy?: StartAgentOptions['policy']
    /** Proxy inputs besides the settings (startAgent's option): the environment, --proxy, proxyLoopback. */
    network?: StartAgentOptions['network']
    /** Receives the agent's log lines (default: dropped). */
    log?: (line: string) => void
    /** Called with the fresh state directory before the agent starts (files of an earlier run). */
    prepareStateDir?: (stateDir: string) => void
  } = {},
): Promise<TestAgent> {
  const stateDir = mkdtempSync(join(tmpdir(), 'agent-e2e-'))
  options.prepareStateDir?.(stateDir)
  const sandbox = await startTestSandbox(options.sandbox)
  const paths = { ...resolvePaths(stateDir, { platform: 'linux', home: stateDir, uid: process.getuid?.() ?? 0, env: {} }), sandboxDir: dirname(sandbox.state.pki.dir) }
  const port = await freePort()
  const prompter = new ScriptedPrompter(options.script ?? { secret: 'sandbox' })
  const config: AgentConfig = { ...defaultConfig(), ...options.config, port, environment: 'sandbox' }
  let agent: RunningAgent
  try {
    agent = await startAgent({
      paths,
      config,
      version: 'test',
      clock: options.clock ?? systemClock,
      prompter,
      log: options.log ?? (() => undefined),
      ...(options.network ? { network: options.network } : {}),
      ...(process.getuid ? { uid: process.getuid() } : {}),
      ipv6: false,
      sandbox: { url: sandbox.url },
      ...(options.iamConnectOpenUrl ? { iamConnectOpenUrl: options.iamConnectOpenUrl } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
      ...(options.identifyPeer ? { identifyPeer: options.identifyPeer } : {}),
      ...(options.keySources ? { keySources: options.keySources } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
    })
  } catch (err) {
    await sandbox.close()
    throw err
  }
  return { agent: closingSandboxToo(agent, sandbox), sandbox, prompter, stateDir, port }
}
