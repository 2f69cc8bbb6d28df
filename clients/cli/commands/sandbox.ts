import { UsageError, type Command } from '../cli-context.js'
import { loadSandbox } from '../load-server.js'
import { sandboxControl } from './sandbox-control.js'

/**
 * `ehagent sandbox [--port N] [--state-dir DIR] [--fault SPEC] [--demo] [--json]`: serve the
 * simulated eHealth alone on 127.0.0.1, for integrators testing their own client and for an agent
 * started with `--sandbox-url`. The sandbox is a program of its own (agent/sandbox/main.ts),
 * loaded here on demand; it reads its options itself.
 *
 * `ehagent sandbox fault SPEC|clear` and `ehagent sandbox stats` talk to a sandbox already
 * running (sandbox-control.ts).
 */
export const sandbox: Command = async (ctx) => {
  const [sub, ...rest] = ctx.args.positional
  if (sub === 'fault' || sub === 'stats') return sandboxControl(ctx, sub, rest)
  if (ctx.args.positional.length > 0) throw new UsageError(`unexpected argument "${ctx.args.positional[0]}"`)
  const { runSandbox } = await loadSandbox()
  return runSandbox({
    argv: Object.entries(ctx.args.options).map(([name, value]) => (value === true ? `--${name}` : `--${name}=${value}`)),
    pathContext: ctx.pathContext,
    pid: process.pid,
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    stopSignal: ctx.stopSignal,
    usageError: (message) => new UsageError(message),
  })
}
