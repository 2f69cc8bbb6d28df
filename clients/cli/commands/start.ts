import { isEnvironmentId } from '../../../protocol/environments.js'
import { isLoopbackHttpUrl } from '../../../protocol/sandbox-manifest.js'
import { optionPort, optionProxy, optionString, UsageError, wantsJson, type Command } from '../cli-context.js'
import { loadDaemon } from '../load-server.js'

/**
 * `ehagent start [--env sandbox|int|acc|prod] [--port N] [--state-dir DIR] [--demo]
 * [--sandbox-url URL] [--proxy URL]`: run the agent in the foreground until interrupted. With the sandbox
 * environment the agent starts `ehagent sandbox` as a child process and stops it when it stops,
 * or, with `--sandbox-url`, uses a sandbox already running there. `--demo` answers every prompt
 * with the sandbox's public demo secrets, so it is refused for any real environment. `--proxy`
 * sends eHealth traffic through that proxy for this run, whatever the settings or HTTPS_PROXY say.
 *
 * The command line is checked here; the daemon is loaded only then (load-server.ts).
 */
export const start: Command = async (ctx) => {
  const env = optionString(ctx, 'env')
  if (env !== undefined && !isEnvironmentId(env)) throw new UsageError(`--env must be one of sandbox, int, acc, prod; not "${env}"`)
  const demo = ctx.args.options.demo === true
  if (demo && env !== undefined && env !== 'sandbox') {
    throw new UsageError('--demo answers every prompt with the public demo PIN: it exists only for --env sandbox')
  }
  const sandboxUrl = optionString(ctx, 'sandbox-url')
  if (ctx.args.options['sandbox-url'] === true) throw new UsageError('--sandbox-url needs the URL of a running sandbox, e.g. http://127.0.0.1:4753')
  if (sandboxUrl !== undefined) {
    if (!isLoopbackHttpUrl(sandboxUrl)) throw new UsageError(`--sandbox-url must be the sandbox's http:// URL on this machine (127.0.0.1, [::1] or localhost), not "${sandboxUrl}"`)
    if (env !== undefined && env !== 'sandbox') throw new UsageError('--sandbox-url names a sandbox: it exists only for --env sandbox')
  }
  const port = optionPort(ctx)
  const proxy = optionProxy(ctx)
  const { runAgent } = await loadDaemon()
  return runAgent({
    options: { env, port, stateDir: optionString(ctx, 'state-dir'), demo, sandboxUrl, json: wantsJson(ctx), proxy },
    pathContext: ctx.pathContext,
    version: ctx.version,
    useDesktop: ctx.useDesktop === true,
    selfCommand: ctx.selfCommand,
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    stopSignal: ctx.stopSignal,
    usageError: (message) => new UsageError(message),
  })
}
