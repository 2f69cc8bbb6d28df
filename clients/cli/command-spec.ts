import type { Command } from './cli-context.js'

/** One `--option` of a command: a flag, or an option that takes a value. */
export interface OptionSpec {
  type: 'boolean' | 'string'
  /** The value's placeholder in the help (`--profile P`); string options only. */
  value?: string
  help: string
  /** What its value is, for the error when it is missing (`--proxy needs the proxy URL, e.g. …`); default "a value". */
  needs?: string
  /** Not listed in the help (options one program passes to another). */
  hidden?: boolean
}

/**
 * One `ehagent` command: what its help says and what its command line may hold. The parser
 * (parse-command-line.ts) refuses anything else: an unknown option, an extra argument, a value
 * given to a flag or missing after an option. Adding an option to a command is one line in its
 * table (command-table.ts).
 */
export interface CommandSpec {
  name: string
  /** One line for `ehagent help`. */
  summary: string
  /** Positional arguments as the help shows them: `FILE`, `ENDPOINT FILE`, `[revoke ID]`. */
  args?: string
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number }
  options: Readonly<Record<string, OptionSpec>>
  /** More text for `ehagent help NAME`: what it does, examples. */
  details?: string
  run: Command
}

/** Every command takes these. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', help: 'machine-readable output on stdout (errors too, as {"error":{code,message,data}})' },
  help: { type: 'boolean', help: 'this help' },
}

/** The options that find an agent started with `--state-dir` / `--port`. */
export const AGENT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'state-dir': { type: 'string', value: 'DIR', help: 'the agent’s state directory, if it was started with one' },
  port: { type: 'string', value: 'N', help: 'the agent’s port, if it was started with another one' },
}
