import { isAgentError } from '../../protocol/errors.js'
import { UsageError, wantsJson, type CliContext, type Command } from './cli-context.js'
import { EXIT_CODES, exitCodeFor } from './exit-codes.js'

/**
 * Each command's module, loaded when that command runs: `ehagent start` then carries none of the
 * other commands' code (the agent it runs stays in that process for days), and `ehagent status`
 * none of the installer's or the doctor's.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.js')).start,
  status: async () => (await import('./commands/status.js')).status,
  login: async () => (await import('./commands/login.js')).login,
  logout: async () => (await import('./commands/logout.js')).logout,
  'switch-profile': async () => (await import('./commands/switch-profile.js')).switchProfile,
  'import-token': async () => (await import('./commands/import-token.js')).importToken,
  sign: async () => (await import('./commands/sign.js')).sign,
  call: async () => (await import('./commands/call.js')).call,
  pair: async () => (await import('./commands/pair.js')).pair,
  clients: async () => (await import('./commands/clients.js')).clients,
  audit: async () => (await import('./commands/audit.js')).audit,
  settings: async () => (await import('./commands/settings.js')).settings,
  sandbox: async () => (await import('./commands/sandbox.js')).sandbox,
  install: async () => (await import('./commands/install.js')).install,
  uninstall: async () => (await import('./commands/uninstall.js')).uninstall,
  doctor: async () => (await import('./commands/doctor.js')).doctor,
}

export const USAGE = `usage: ehagent <command> [options]

  start                 run the agent  [--env sandbox|int|acc|prod] [--port N] [--state-dir DIR] [--demo] [--sandbox-url URL]
  status                agent and session
  login                 sign in  [--profile P] [--method keystore|eid+keystore|eid]
  logout                sign out (global logout)
  switch-profile P      sign out and in again as profile P (the agent asks for the PIN again)
  import-token FILE     use a session token downloaded from the eHealth IDP (an STS assertion, .ehtoken, base64…)
  sign FILE             print FILE signed with WS-Security (SAML holder-of-key)  [--x509] [--algorithm rsa-sha1]
  call ENDPOINT FILE    sign FILE, post it to ENDPOINT, print the answer  [--soap-action A] [--x509]
  pair --name NAME      pair an application; prints its credential once  [--methods M,M] [--services URL,URL] [--out FILE]
  clients               the paired applications;  clients revoke ID  withdraws one
  audit                 the privacy log, newest first  [--limit N] [--from T] [--to T] [--client C] [--event E] [--method M] [--outcome O]
  settings              the settings in effect; those the admin policy fixes are marked locked
                        settings set NAME VALUE  changes one (several entries: comma-separated)
  sandbox               serve the simulated eHealth alone  [--port N] [--state-dir DIR] [--fault SPEC] [--demo]
  sandbox fault SPEC    add faults to a running sandbox (sandbox fault clear: remove them)  [--port S]
  sandbox stats         requests each endpoint of a running sandbox received  [--port S]
  install               run the agent as a service of this user, tray at login, .ehtoken handler  [--no-start] [--dry-run]
  uninstall             remove what install created; names the data it leaves
  doctor                check this machine and say how to fix what is wrong  [--env sandbox|int|acc|prod]

Every command accepts --state-dir DIR and --port N to reach an agent started with them, and
--json for machine-readable output on stdout. Progress goes to stderr; FILE may be - (stdin).
Exit codes: 0 ok, 1 error (doctor: a check failed), 2 usage, 3 not signed in / wrong PIN,
4 agent not running, 5 cancelled by the user, 6 refused by eHealth, 7 invalid input,
8 invalid settings.
`

/** Run one `ehagent` command; returns the exit code. Errors are printed, never thrown. */
export async function runCli(ctx: CliContext): Promise<number> {
  const { command } = ctx.args
  // `ehagent --version` has no command word, so the parser names it `help`: look at --version first.
  if (command === 'version' || ctx.args.options.version === true) {
    ctx.stdout.write(wantsJson(ctx) ? JSON.stringify({ version: ctx.version }) + '\n' : `${ctx.version}\n`)
    return EXIT_CODES.ok
  }
  if (command === 'help' || ctx.args.options.help === true) {
    ctx.stdout.write(USAGE)
    return EXIT_CODES.ok
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (!load) {
    ctx.stderr.write(`ehagent: unknown command "${command}"\n\n${USAGE}`)
    printJsonError(ctx, 'ERR_USAGE', `unknown command "${command}"`)
    return EXIT_CODES.usage
  }
  try {
    const run = await load()
    return await run(ctx)
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.stderr.write(`ehagent ${command}: ${err.message}\n`)
      printJsonError(ctx, 'ERR_USAGE', err.message)
      return EXIT_CODES.usage
    }
    if (isAgentError(err)) {
      const hint = err.hint ? `\n  ${err.hint}` : ''
      const detail = typeof err.data.detail === 'string' && !err.message.includes(err.data.detail) ? `\n  ${err.data.detail}` : ''
      ctx.stderr.write(`ehagent ${command}: ${err.message} [${err.code}]${detail}${hint}\n`)
      printJsonError(ctx, err.code, err.message, err.data)
      return exitCodeFor(err.code)
    }
    ctx.stderr.write(`ehagent ${command}: unexpected error: ${(err as Error).message}\n`)
    printJsonError(ctx, 'ERR_INTERNAL', (err as Error).message)
    return EXIT_CODES.error
  }
}

/**
 * With --json, a script reads the failure from stdout too: `{"error":{code,message,data?}}`.
 * `ERR_USAGE` is the command line's own code (exit 2); the others are the agent's (errors.ts).
 */
function printJsonError(ctx: CliContext, code: string, message: string, data?: unknown): void {
  if (wantsJson(ctx)) ctx.stdout.write(JSON.stringify({ error: { code, message, ...(data !== undefined ? { data } : {}) } }) + '\n')
}
