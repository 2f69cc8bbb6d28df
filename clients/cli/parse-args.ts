/** A parsed command line: the command, its positional arguments and its --options. */
export interface ParsedArgs {
  command: string
  positional: string[]
  options: Record<string, string | true>
}

/** `ehagent <command> [args] [--flag] [--key value|--key=value]`. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = []
  const options: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      if (eq !== -1) options[arg.slice(2, eq)] = arg.slice(eq + 1)
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--') && VALUE_OPTIONS.has(arg.slice(2))) options[arg.slice(2)] = argv[++i]!
      else options[arg.slice(2)] = true
    } else positional.push(arg)
  }
  return { command: positional.shift() ?? 'help', positional, options }
}

/** Options that take a value (the others are flags). */
const VALUE_OPTIONS = new Set(['env', 'port', 'state-dir', 'profile', 'with', 'fault', 'method', 'limit', 'since', 'from', 'to', 'client', 'event', 'outcome', 'name', 'algorithm', 'soap-action', 'out', 'methods', 'services', 'sandbox-url', 'sandbox-dir', 'use-policy', 'proxy'])
