import { AgentError, isAgentError } from '../../protocol/errors.js'
import { UsageError, wantsJson, type CliContext } from './cli-context.js'
import type { CommandSpec } from './command-spec.js'
import { COMMANDS, findCommand } from './command-table.js'
import { EXIT_CODES, exitCodeFor } from './exit-codes.js'
import { formatCommandHelp, formatUsage } from './format-help.js'
import { CommandLineError, parseCommandLine } from './parse-command-line.js'

/** What runCli needs: the context of a command, with the raw command line in place of the parsed one. */
export type CliInput = Omit<CliContext, 'args' | 'cancel'> & { argv: readonly string[] }

/**
 * Commands that see the stop request through `stopSignal` themselves: the agent and the sandbox
 * shut down cleanly, install and uninstall finish their steps (half a service is worse than
 * none). Every other command is cancelled at once (and its calls to the agent with it).
 */
const STOP_HANDLED: ReadonlySet<string> = new Set(['start', 'sandbox', 'install', 'uninstall'])

/** Run one `ehagent` command line; returns the exit code. Errors are printed, never thrown. */
export async function runCli(input: CliInput): Promise<number> {
  const [first, ...rest] = input.argv
  const json = jsonRequested(input.argv)
  const say = (text: string) => input.stdout.write(text)
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    if (first === 'help' && rest.length > 0) {
      const spec = findCommand(rest[0]!)
      if (!spec || rest.length > 1) return usageError(input, json, 'help', spec ? `unexpected extra argument "${rest[1]}"` : `unknown command "${rest[0]}"`)
      say(formatCommandHelp(spec))
      return EXIT_CODES.ok
    }
    say(formatUsage(COMMANDS))
    return EXIT_CODES.ok
  }
  if (first === 'version' || first === '--version') {
    if (rest.some((a) => a !== '--json')) return usageError(input, json, 'version', `unexpected argument "${rest.find((a) => a !== '--json')}"`)
    say(json ? JSON.stringify({ version: input.version }) + '\n' : `${input.version}\n`)
    return EXIT_CODES.ok
  }
  const spec = findCommand(first)
  if (!spec) {
    const why = first.startsWith('-') ? `the command comes first: ehagent <command> ${first} …` : `unknown command "${first}"`
    return usageError(input, json, undefined, why, 'run `ehagent help` for the list of commands')
  }
  let ctx: CliContext
  try {
    ctx = { ...input, args: parseCommandLine(spec, rest) }
  } catch (err) {
    if (!(err instanceof CommandLineError)) throw err
    return usageError(input, json, spec.name, err.message, `see \`ehagent help ${spec.name}\``)
  }
  if (ctx.args.options.help === true) {
    say(formatCommandHelp(spec))
    return EXIT_CODES.ok
  }
  return runCommand(spec, ctx)
}

async function runCommand(spec: CommandSpec, base: CliContext): Promise<number> {
  const stop = new AbortController()
  void base.stopSignal.then(() => stop.abort())
  const ctx: CliContext = { ...base, cancel: stop.signal }
  try {
    if (STOP_HANDLED.has(spec.name)) return await spec.run(ctx)
    // Ctrl-C or SIGTERM: the command ends now. Its calls to the agent are aborted through
    // `cancel`, so their connections close and the agent withdraws what it was asking the user.
    const interrupted = new Promise<never>((_, reject) =>
      stop.signal.addEventListener('abort', () => reject(new AgentError('ERR_USER_CANCELLED', 'cancelled (interrupted); the agent withdrew its prompt')), { once: true }),
    )
    return await Promise.race([spec.run(ctx), interrupted])
  } catch (err) {
    const command = spec.name
    if (err instanceof UsageError) return usageError(ctx, wantsJson(ctx), command, err.message)
    if (isAgentError(err)) {
      // A hint in the error's data is more precise than its code's (the table's) one.
      const said = typeof err.data.hint === 'string' ? err.data.hint : err.hint
      const hint = said ? `\n  ${said}` : ''
      const detail = typeof err.data.detail === 'string' && !err.message.includes(err.data.detail) ? `\n  ${err.data.detail}` : ''
      ctx.stderr.write(`ehagent ${command}: ${err.message} [${err.code}]${detail}${hint}\n`)
      printJsonError(ctx, wantsJson(ctx), err.code, err.message, err.data)
      return exitCodeFor(err.code)
    }
    ctx.stderr.write(`ehagent ${command}: unexpected error: ${(err as Error).message}\n`)
    printJsonError(ctx, wantsJson(ctx), 'ERR_INTERNAL', (err as Error).message)
    return EXIT_CODES.error
  }
}

/** A mistake on the command line: named on stderr (and as JSON with --json), exit code 2. */
function usageError(io: Pick<CliInput, 'stdout' | 'stderr'>, json: boolean, command: string | undefined, message: string, hint?: string): number {
  io.stderr.write(`ehagent${command ? ` ${command}` : ''}: ${message}${hint ? `\n  ${hint}` : ''}\n`)
  printJsonError(io, json, 'ERR_USAGE', message)
  return EXIT_CODES.usage
}

/**
 * With --json, a script reads the failure from stdout too: `{"error":{code,message,data?}}`.
 * `ERR_USAGE` is the command line's own code (exit 2); the others are the agent's (errors.ts).
 */
function printJsonError(io: Pick<CliInput, 'stdout'>, json: boolean, code: string, message: string, data?: unknown): void {
  if (json) io.stdout.write(JSON.stringify({ error: { code, message, ...(data !== undefined ? { data } : {}) } }) + '\n')
}

/** `--json` among the options (before a `--`), even on a command line that does not parse. */
function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}
