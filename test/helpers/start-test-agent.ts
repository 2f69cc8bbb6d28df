import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { systemClock, type Clock } from '../../agent/clock.js'
import { defaultConfig, type AgentConfig } from '../../agent/config.js'
import { ScriptedPrompter, type PromptScript } from '../../agent/consent/scripted-prompter.js'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
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
  agent: RunningAgent
  prompter: ScriptedPrompter
  stateDir: string
  port: number
}

/**
 * Start a real agent (real HTTP on loopback, real sandbox, real keystore) in a throw-away state
 * directory, with a scripted Prompter standing in for the user. The sandbox PKI is the one shared
 * by the test run (generating keys is slow).
 */
export async function startTestAgent(
  options: {
    script?: PromptScript
    config?: Partial<AgentConfig>
    clock?: Clock
    iamConnectOpenUrl?: (url: string) => Promise<void>
    /** Key sources instead of those the settings name (startAgent's option). */
    keySources?: StartAgentOptions['keySources']
  } = {},
): Promise<TestAgent> {
  const stateDir = mkdtempSync(join(tmpdir(), 'agent-e2e-'))
  const pki = await sharedSandboxPki()
  const paths = { ...resolvePaths(stateDir, { platform: 'linux', home: stateDir, uid: process.getuid?.() ?? 0, env: {} }), sandboxDir: dirname(pki.dir) }
  const port = await freePort()
  const prompter = new ScriptedPrompter(options.script ?? { secret: 'sandbox' })
  const config: AgentConfig = { ...defaultConfig(), ...options.config, port, environment: 'sandbox' }
  const agent = await startAgent({
    paths,
    config,
    version: 'test',
    clock: options.clock ?? systemClock,
    prompter,
    log: () => undefined,
    ...(process.getuid ? { uid: process.getuid() } : {}),
    ipv6: false,
    ...(options.iamConnectOpenUrl ? { iamConnectOpenUrl: options.iamConnectOpenUrl } : {}),
    ...(options.keySources ? { keySources: options.keySources } : {}),
  })
  return { agent, prompter, stateDir, port }
}
