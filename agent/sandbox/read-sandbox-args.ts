import { DEFAULT_SANDBOX_PORT } from '../../protocol/sandbox-control.js'

/** `ehagent sandbox`'s options, read from its command line. */
export interface SandboxArgs {
  /** 0: any free port (a parent process reads the port from the ready line). */
  port: number
  /** The state root, as for the agent (`<state-dir>/sandbox` holds the test PKI). */
  stateDir: string | undefined
  /** The sandbox's own directory, exactly (the agent passes its `sandboxDir`); wins over stateDir. */
  sandboxDir: string | undefined
  fault: string | undefined
  demo: boolean
  json: boolean
  /** Stop when standard input closes: the parent that started this sandbox has gone. */
  exitWithStdin: boolean
}

const VALUE_OPTIONS = ['port', 'state-dir', 'sandbox-dir', 'fault'] as const
const FLAGS = ['demo', 'json', 'exit-with-stdin'] as const

/**
 * `[--port N] [--state-dir DIR] [--sandbox-dir DIR] [--fault SPEC] [--demo] [--json]
 * [--exit-with-stdin]`, as `--key value` or `--key=value`. Anything else is refused with a
 * message saying what was wrong (thrown as `usageError(message)`).
 */
export function readSandboxArgs(argv: readonly string[], usageError: (message: string) => Error): SandboxArgs {
  const values: Partial<Record<(typeof VALUE_OPTIONS)[number], string>> = {}
  const flags = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) throw usageError(`unexpected argument "${arg}"`)
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    if ((VALUE_OPTIONS as readonly string[]).includes(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i]
      if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw usageError(`--${name} needs a value`)
      values[name as (typeof VALUE_OPTIONS)[number]] = value
    } else if ((FLAGS as readonly string[]).includes(name) && eq === -1) {
      flags.add(name)
    } else {
      throw usageError(`unknown option --${name} (the sandbox takes --port, --state-dir, --fault, --demo, --json)`)
    }
  }
  return {
    port: readPort(values.port, usageError),
    stateDir: values['state-dir'],
    sandboxDir: values['sandbox-dir'],
    fault: values.fault,
    demo: flags.has('demo'),
    json: flags.has('json'),
    exitWithStdin: flags.has('exit-with-stdin'),
  }
}

function readPort(value: string | undefined, usageError: (message: string) => Error): number {
  if (value === undefined) return DEFAULT_SANDBOX_PORT
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 65535) throw usageError(`--port must be a port number (0 for any free port, or 1-65535), not "${value}"`)
  return n
}
