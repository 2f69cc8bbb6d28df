/**
 * A command line read against its command's table (parse-command-line.ts): the command, its
 * positional arguments and its `--options` (a flag is `true`, an option with a value its string).
 */
export interface ParsedArgs {
  command: string
  positional: string[]
  options: Record<string, string | true>
}
