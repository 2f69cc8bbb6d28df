import { parseArgs, type ParseArgsConfig } from 'node:util'
import { COMMON_OPTIONS, type CommandSpec, type OptionSpec } from './command-spec.js'
import type { ParsedArgs } from './parse-args.js'

/** A command line that does not fit its command: said in one sentence naming what is wrong. */
export class CommandLineError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CommandLineError'
  }
}

/**
 * `ehagent <command> [arguments] [--options]` read strictly against the command's table, with
 * `node:util` parseArgs: an option the command does not know, a value missing after an option or
 * given to a flag, an option given twice, too many or too few arguments each throw a
 * CommandLineError naming it. `--` ends the options (`ehagent sign -- -odd-name.xml`); a lone
 * `-` is an argument (stdin).
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = { ...spec.options, ...COMMON_OPTIONS }
  const config: ParseArgsConfig = {
    args: [...argv],
    options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, name === 'help' ? { type: o.type, short: 'h' } : { type: o.type }])),
    allowPositionals: true,
    strict: true,
    tokens: true,
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs(config)
  } catch (err) {
    throw new CommandLineError(explain(err as Error & { code?: string }, options))
  }
  const seen = new Set<string>()
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue
    if (seen.has(token.name)) throw new CommandLineError(`--${token.name} is given twice`)
    seen.add(token.name)
    if (options[token.name]!.type === 'string' && token.value === '') throw new CommandLineError(`--${token.name} needs ${options[token.name]!.needs ?? 'a value'}`)
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  const out: Record<string, string | true> = {}
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== false) out[name] = value
  const positional = parsed.positionals
  if (out.help !== true) {
    if (positional.length > spec.positionals.max) {
      const extra = positional[spec.positionals.max]!
      throw new CommandLineError(spec.positionals.max === 0 ? `takes no arguments, but got "${extra}"` : `unexpected extra argument "${extra}"`)
    }
    if (positional.length < spec.positionals.min) throw new CommandLineError(`needs ${spec.args ?? 'more arguments'}`)
  }
  return { command: spec.name, positional, options: out }
}

/** node:util's error, said for this command. */
function explain(err: Error & { code?: string }, options: Readonly<Record<string, OptionSpec>>): string {
  const name = /'(-[^' ]+)/.exec(err.message)?.[1]
  const needs = (name !== undefined ? options[name.replace(/^--?/, '')]?.needs : undefined) ?? 'a value'
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${name ?? ''}`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(err.message)) return `${name} is a flag and takes no value`
      // Missing, or the next word is another option ("--profile --json").
      return `${name} needs ${needs}${/ambiguous/.test(err.message) ? ` (to give one that starts with "-", write ${name}=VALUE)` : ''}`
    default:
      return err.message
  }
}
