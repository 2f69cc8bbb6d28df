import { UsageError, type Command } from '../cli-context.js'
import { EXIT_CODES } from '../exit-codes.js'
import { planInstallForUser } from '../build-install-context.js'
import { loadInstaller } from '../load-server.js'
import { printResult } from '../print-result.js'

/**
 * `ehagent uninstall [--state-dir DIR] [--json]`: remove what `ehagent install` created (service,
 * autostart, file handler) and nothing else. The user's data stays and is named: settings,
 * paired applications, privacy log.
 */
export const uninstall: Command = async (ctx) => {
  const installer = await loadInstaller()
  let plan
  try {
    plan = planInstallForUser(installer, ctx)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const outcome = await installer.applyUninstall(plan, ctx.runTool ?? installer.createToolRunner())
  const kept = outcome.dataLeft.filter((d) => d.exists)
  const width = Math.max(0, ...kept.map((d) => d.what.length))
  printResult(
    ctx,
    outcome,
    [
      outcome.removed.length ? 'removed:' : 'ehealth-agent was not installed for this user (nothing to remove).',
      ...outcome.removed.map((p) => `  ${p}`),
      ...outcome.failures.map((f) => `  failed: ${f}`),
      ...outcome.notes.map((n) => `  note: ${n}`),
      kept.length ? 'Your data is left in place (delete it yourself if you no longer need it):' : 'No data of ehealth-agent was found.',
      ...kept.map((d) => `  ${d.what.padEnd(width)}  ${d.path}`),
    ].join('\n'),
  )
  return outcome.failures.length ? EXIT_CODES.error : EXIT_CODES.ok
}
