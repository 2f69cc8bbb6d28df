import { readFile } from 'node:fs/promises'
import { isEnvironmentId } from '../../../protocol/environments.js'
import { isAgentError } from '../../../protocol/errors.js'
import { systemClock } from '../../../agent/clock.js'
import { loadConfig } from '../../../agent/config.js'
import type { Prompter } from '../../../agent/consent/prompter.js'
import { ScriptedPrompter } from '../../../agent/consent/scripted-prompter.js'
import { TerminalPrompter } from '../../../agent/consent/terminal-prompter.js'
import { choosePrompter } from '../../../agent/consent/choose-prompter.js'
import { answerSandboxPagesAutomatically } from '../../../agent/sandbox/oidc/walk-sandbox-pages.js'
import { resolvePaths } from '../../../protocol/discovery/resolve-paths.js'
import { SANDBOX_KEYSTORE_PASSWORD } from '../../../agent/sandbox/pki/create-sandbox-pki.js'
import { SANDBOX_EID_PIN } from '../../../agent/sandbox/softhsm.js'
import { startAgent } from '../../../agent/start-agent.js'
import { parseDiscoveryFile } from '../../../protocol/discovery/discovery-file.js'
import { optionPort, optionString, UsageError, type Command } from '../cli-context.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printBanner } from './start-banner.js'

/**
 * `ehagent start [--env sandbox|int|acc|prod] [--port N] [--state-dir DIR] [--demo]`: run the
 * agent in the foreground until interrupted. `--demo` answers every prompt with the sandbox's
 * public demo PIN/password, so it is refused for any real environment.
 */
export const start: Command = async (ctx) => {
  const stateDir = optionString(ctx, 'state-dir')
  const paths = resolvePaths(stateDir, ctx.pathContext)
  const config = await loadConfig(paths.configFile)
  const env = optionString(ctx, 'env')
  if (env !== undefined) {
    if (!isEnvironmentId(env)) throw new UsageError(`--env must be one of sandbox, int, acc, prod; not "${env}"`)
    config.environment = env
  }
  config.port = optionPort(ctx) ?? config.port
  const demo = ctx.args.options.demo === true
  if (demo && config.environment !== 'sandbox') {
    throw new UsageError('--demo answers every prompt with the public demo PIN: it exists only for --env sandbox')
  }
  // With a display: the tray and the agent's own pages ask the user (the terminal if no browser
  // opens); without: the terminal. --demo answers by itself but keeps the tray.
  const terminal = { input: ctx.stdin, output: ctx.stderr }
  const choice = ctx.desktop ? choosePrompter({ facts: ctx.desktop, terminal }) : undefined
  const prompter: Prompter = demo
    ? new ScriptedPrompter({ secret: (p) => (p.requirement.secret === 'pin' ? SANDBOX_EID_PIN : SANDBOX_KEYSTORE_PASSWORD), approvePairing: true })
    : (choice?.prompter ?? new TerminalPrompter({ terminal }))
  const desktop = choice ? (demo ? { ...choice.desktop, webPrompter: undefined } : choice.desktop) : undefined

  const log = (line: string) => ctx.stderr.write(`${line}\n`)
  let agent
  try {
    agent = await startAgent({
      paths,
      config,
      version: ctx.version,
      clock: systemClock,
      prompter,
      log,
      uid: ctx.pathContext.uid,
      ...(desktop ? { desktop } : {}),
      // --demo: the sandbox's IAM Connect pages are answered as the demo doctor.
      ...(demo ? { iamConnectOpenUrl: answerSandboxPagesAutomatically({ person: 'doctor', profile: config.defaultProfile }) } : {}),
    })
  } catch (err) {
    if (isAgentError(err) && err.data.detail === 'port in use') {
      log(`ehealth-agent cannot start: ${err.message}.`)
      log(await whoHoldsThePort(paths.discoveryFile, config.port))
      return EXIT_CODES.error
    }
    throw err
  }
  printBanner(ctx, agent, demo, stateDir)
  if (choice && !demo) log(choice.summary)
  await Promise.race([ctx.stopSignal, agent.quitRequested])
  log('stopping ehealth-agent…')
  await agent.close()
  return EXIT_CODES.ok
}

/** Name the other process where we can: another agent says so in its discovery file. */
async function whoHoldsThePort(discoveryFile: string, port: number): Promise<string> {
  try {
    const other = parseDiscoveryFile(await readFile(discoveryFile, 'utf8'))
    if (other.port === port) {
      try {
        process.kill(other.pid, 0)
        return `Another ehealth-agent (pid ${other.pid}, ${other.environment}) is already running on port ${port}; stop it first, or use --port.`
      } catch {
        /* stale discovery file */
      }
    }
  } catch {
    /* no discovery file */
  }
  return `Another program listens on port ${port} (see: ss -ltnp 'sport = :${port}'); stop it, or start the agent with --port.`
}
