import { COMMON_OPTIONS, type CommandSpec, type OptionSpec } from './command-spec.js'

const EXIT_CODES_TEXT = `Exit codes: 0 ok, 1 error (doctor: a check failed), 2 usage, 3 not signed in / wrong PIN,
4 agent not running, 5 cancelled (by the user, or Ctrl-C), 6 refused by eHealth, 7 invalid input,
8 invalid settings.
`

/** `ehagent help`: every command on one line each. */
export function formatUsage(commands: readonly CommandSpec[]): string {
  const lines = commands.map((c) => {
    const head = c.args ? `${c.name} ${c.args}` : c.name
    return `  ${head.padEnd(22)}${head.length >= 22 ? ' ' : ''}${c.summary}`
  })
  return `usage: ehagent <command> [options]

${lines.join('\n')}
  help [COMMAND]        this list, or the options of COMMAND (also: ehagent COMMAND --help)
  version               the version (also: ehagent --version)

Every command that talks to the agent accepts --state-dir DIR and --port N to reach an agent
started with them, and every command --json for machine-readable output on stdout. Progress goes
to stderr; FILE may be - (stdin). Ctrl-C cancels a command that waits for the user.
${EXIT_CODES_TEXT}`
}

/** `ehagent help NAME` / `ehagent NAME --help`: the command's synopsis, what it does, its options. */
export function formatCommandHelp(spec: CommandSpec): string {
  const options = Object.entries({ ...spec.options, ...COMMON_OPTIONS }).filter(([, o]) => !o.hidden)
  const synopsis = [`ehagent ${spec.name}`, spec.args, ...options.map(([name, o]) => `[${flag(name, o)}]`)].filter(Boolean).join(' ')
  const width = Math.max(...options.map(([name, o]) => flag(name, o).length))
  return `usage: ${synopsis}

${capitalize(spec.summary)}.${spec.details ? `\n${spec.details}` : ''}

options:
${options.map(([name, o]) => `  ${flag(name, o).padEnd(width)}  ${o.help}`).join('\n')}

${EXIT_CODES_TEXT}`
}

function flag(name: string, option: OptionSpec): string {
  return option.type === 'string' ? `--${name} ${option.value ?? 'VALUE'}` : `--${name}`
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
