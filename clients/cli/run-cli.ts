import { isAgentError } from '../../protocol/rpc/errors.js'
import { UsageError, type CliContext, type Command } from './cli-context.js'
import { audit, login, logout, sign, status } from './commands/client-commands.js'
import { sandbox } from './commands/sandbox.js'
import { start } from './commands/start.js'
import { EXIT_CODES, exitCodeFor } from './exit-codes.js'

const COMMANDS: Record<string, Command> = { start, status, login, logout, sign, audit, sandbox }

export const USAGE = `usage: ehagent <command> [options]

  start      run the agent      [--env sandbox|int|acc|prod] [--port N] [--state-dir DIR] [--demo]
  status     agent and session  [--json]
  login      sign in            [--profile P] [--method keystore|eid+keystore|eid]
  logout     sign out (global logout)
  sign FILE  print FILE signed with WS-Security (SAML holder-of-key)  [--x509] [--algorithm rsa-sha1]
  audit      the privacy log    [--limit N] [--method M] [--json]
  sandbox    serve the simulated eHealth alone  [--port N] [--fault SPEC]

Every command accepts --state-dir DIR and --port N to reach an agent started with them.
Exit codes: 0 ok, 1 error, 2 usage, 3 not signed in / wrong PIN, 4 agent not running,
5 cancelled by the user, 6 refused by eHealth, 7 invalid input, 8 invalid settings.
`

/** Run one `ehagent` command; returns the exit code. Errors are printed, never thrown. */
export async function runCli(ctx: CliContext): Promise<number> {
  const { command } = ctx.args
  if (command === 'help' || ctx.args.options.help === true) {
    ctx.stdout.write(USAGE)
    return EXIT_CODES.ok
  }
  if (command === 'version' || ctx.args.options.version === true) {
    ctx.stdout.write(`${ctx.version}\n`)
    return EXIT_CODES.ok
  }
  const run = COMMANDS[command]
  if (!run) {
    ctx.stderr.write(`ehagent: unknown command "${command}"\n\n${USAGE}`)
    return EXIT_CODES.usage
  }
  try {
    return await run(ctx)
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.stderr.write(`ehagent ${command}: ${err.message}\n`)
      return EXIT_CODES.usage
    }
    if (isAgentError(err)) {
      const hint = err.hint ? `\n  ${err.hint}` : ''
      const detail = typeof err.data.detail === 'string' && !err.message.includes(err.data.detail) ? `\n  ${err.data.detail}` : ''
      ctx.stderr.write(`ehagent ${command}: ${err.message} [${err.code}]${detail}${hint}\n`)
      if (ctx.args.options.json === true) ctx.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message, data: err.data } }) + '\n')
      return exitCodeFor(err.code)
    }
    ctx.stderr.write(`ehagent ${command}: unexpected error: ${(err as Error).message}\n`)
    return EXIT_CODES.error
  }
}
