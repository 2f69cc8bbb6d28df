import { existsSync } from 'node:fs'
import { resolvePaths } from '../../../protocol/discovery/resolve-paths.js'
import { optionString, UsageError, wantsJson, type CliContext, type Command } from '../cli-context.js'
import { EXIT_CODES } from '../exit-codes.js'
import { buildInstallContext, planInstallForUser } from '../build-install-context.js'
import { loadInstaller, type InstallerModule, type InstallStep } from '../load-server.js'
import { printResult } from '../print-result.js'
import { waitForAgent } from '../wait-for-agent.js'

/** How long a freshly started service has to answer (the sandbox environment starts its sandbox first). */
const START_TIMEOUT_MS = 30_000

/**
 * `ehagent install [--state-dir DIR] [--no-start] [--dry-run] [--json]`: run the agent as a
 * per-user service (systemd user unit, launchd agent, or logon task), show the tray at login and
 * open downloaded `.ehtoken` files in the agent. No root or administrator; installing again
 * rewrites the same files. Exits 1, saying why, when a required step failed — also when the
 * service could not be started, or started an agent that does not answer.
 */
export const install: Command = async (ctx) => {
  const installer = await loadInstaller()
  const plan = planOrExplain(installer, ctx)
  if (ctx.args.options['dry-run'] === true) {
    printResult(ctx, { platform: plan.platform, steps: plan.install.map(describeStepJson) }, plan.install.map(describeStepText).join('\n'))
    return EXIT_CODES.ok
  }
  const target = buildInstallContext(ctx)
  if (!existsSync(target.binPath)) throw new UsageError(`${target.binPath} does not exist; run ehagent install from an installed copy (npm ci)`)
  const outcome = await installer.applyInstall(plan, ctx.runTool ?? installer.createToolRunner())
  // What bin/ehagent.js runs: the bundled CLI (which loads the agent's chunks).
  const compiled = existsSync(installer.locateBundledProgram(target, 'ehagent'))
  if (!compiled) outcome.notes.push('the compiled agent (dist/bundle/) is missing: run `npm run build`, or the service cannot start')
  // The service manager's "started" only means it ran the program: wait for the agent to answer.
  let started: { port: number; pid: number } | undefined
  if (plan.startsAgent && outcome.failures.length === 0) {
    const paths = resolvePaths(optionString(ctx, 'state-dir'), ctx.pathContext)
    if (!wantsJson(ctx)) ctx.stderr.write('starting the agent…\n')
    const result = await (ctx.waitForAgent ?? waitForAgent)(paths, START_TIMEOUT_MS)
    if (result.ok) started = { port: result.port, pid: result.pid }
    else outcome.failures.push(`the service was started, but the agent did not come up: ${result.why}; see ${plan.serviceLog}`)
  } else if (plan.startsAgent) {
    outcome.notes.push(`why the service did not start: ${plan.serviceLog}`)
  }
  printResult(
    ctx,
    { platform: plan.platform, written: outcome.written, notes: outcome.notes, failures: outcome.failures, summary: plan.summary, ...(started ? { running: started } : {}) },
    [
      outcome.failures.length ? 'ehealth-agent is NOT fully installed:' : 'ehealth-agent is installed for this user:',
      ...plan.summary.map((s) => `  ${s}`),
      ...(started ? [`  running now on 127.0.0.1:${started.port} (pid ${started.pid})`] : []),
      ...outcome.failures.map((f) => `  failed: ${f}`),
      ...outcome.notes.map((n) => `  note: ${n}`),
      'Undo with `ehagent uninstall`; check with `ehagent doctor`.',
    ].join('\n'),
  )
  if (!wantsJson(ctx) && outcome.failures.length) ctx.stderr.write(`ehagent install: ${outcome.failures[0]}\n`)
  return outcome.failures.length ? EXIT_CODES.error : EXIT_CODES.ok
}

/** The plan; an unsupported OS is a usage error, said plainly. */
function planOrExplain(installer: InstallerModule, ctx: CliContext) {
  try {
    return planInstallForUser(installer, ctx)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

function decodeContent(content: string | Uint8Array): string {
  if (typeof content === 'string') return content
  const bytes = Buffer.from(content)
  // UTF-16LE with BOM (the Windows files): show them as text.
  return bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8')
}

function describeStepJson(step: InstallStep): unknown {
  return step.kind === 'file' ? { ...step, content: decodeContent(step.content) } : step
}

function describeStepText(step: InstallStep): string {
  switch (step.kind) {
    case 'file':
      return `write ${step.path}:\n${decodeContent(step.content).replace(/^/gm, '    ')}`
    case 'link':
      return `link ${step.path} -> ${step.target}`
    case 'dir':
      return `directory ${step.path}`
    case 'remove':
      return `remove ${step.path}`
    case 'run':
      return `run ${[step.command, ...step.args].join(' ')}   (${step.why}${step.required ? '' : '; optional'})`
  }
}
