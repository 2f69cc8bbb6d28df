import { resolvePaths } from '../../../protocol/discovery/resolve-paths.js'
import { isEnvironmentId } from '../../../protocol/environments.js'
import { readMachineFacts, optionPort, optionProxy, optionString, UsageError, wantsJson, type Command } from '../cli-context.js'
import { EXIT_CODES } from '../exit-codes.js'
import { loadDoctor } from '../load-server.js'
import { printResult } from '../print-result.js'
import { readHiddenLine } from '../read-hidden-line.js'

/**
 * `ehagent doctor [--json] [--state-dir DIR] [--port N] [--env E] [--proxy URL]`: check what the
 * agent needs on this machine and say how to fix what is wrong; `--env` checks for that
 * environment whatever the settings say (as `ehagent start --env` runs it). Exit code 1 when a
 * check failed (warnings pass).
 * In a terminal it asks for the keystore password to check it; with --json it never asks.
 * `--proxy` tries a proxy as `ehagent start --proxy` would use it, before it goes in the settings.
 * The checks are the agent's (agent/doctor/), loaded on demand (load-server.ts).
 */
export const doctor: Command = async (ctx) => {
  const machine = readMachineFacts(ctx)
  const interactive = !wantsJson(ctx) && ctx.stdin.isTTY === true && ctx.stderr.isTTY === true
  const port = optionPort(ctx)
  const environment = optionString(ctx, 'env')
  if (environment !== undefined && !isEnvironmentId(environment)) throw new UsageError(`--env must be one of sandbox, int, acc, prod; not "${environment}"`)
  const proxy = optionProxy(ctx)
  const { createDoctorEnvironment, formatDoctorReport, runDoctor } = await loadDoctor()
  const checks = await runDoctor(
    createDoctorEnvironment({
      platform: ctx.pathContext.platform,
      nodeVersion: machine.nodeVersion,
      paths: resolvePaths(optionString(ctx, 'state-dir'), ctx.pathContext),
      ...(port !== undefined ? { port } : {}),
      ...(environment !== undefined ? { environment } : {}),
      display: machine.display,
      packageRoot: machine.packageRoot,
      proxyEnvironment: machine.proxyEnvironment ?? {},
      ...(proxy !== undefined ? { proxy } : {}),
      ...(interactive ? { askSecret: (question: string) => readHiddenLine({ input: ctx.stdin, output: ctx.stderr }, question) } : {}),
    }),
  )
  const failed = checks.filter((c) => c.status === 'fail').length
  printResult(ctx, { checks, failed, warnings: checks.filter((c) => c.status === 'warn').length }, formatDoctorReport(checks))
  return failed ? EXIT_CODES.error : EXIT_CODES.ok
}
