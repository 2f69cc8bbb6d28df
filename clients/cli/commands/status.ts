import type { PrivacyLogStatus } from '../../../protocol/rpc/methods.js'
import type { Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { tellTime } from '../tell-time.js'

/** `ehagent status [--json]`: is the agent up, which environment, signed in as whom until when, how full the privacy log is. */
export const status: Command = async (ctx) => {
  const agent = await connectAgent(ctx)
  const s = await agent.call('agent.status')
  const t = s.session.token
  printResult(
    ctx,
    s,
    [
      `ehealth-agent ${s.version} (pid ${s.pid}), environment ${s.environment}`,
      t ? `signed in as ${t.subject} (${t.profile.label}) until ${tellTime(ctx, t.notOnOrAfter)}; renewal ${tellTime(ctx, t.renewAt)}` : 'signed out',
      privacyLogLine(s.privacyLog),
    ].join('\n'),
  )
  return EXIT_CODES.ok
}

/** "privacy log: 12.5 MiB of 1024 MiB"; with the warning when it is not ok. */
function privacyLogLine(log: PrivacyLogStatus | undefined): string {
  // An agent of an earlier version does not report it.
  if (!log) return 'privacy log: not reported by this agent'
  const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
  const usage = `${mib(log.usedBytes)} of ${mib(log.budgetBytes)}`
  return log.state === 'ok' ? `privacy log: ${usage}` : `privacy log ${log.state.toUpperCase()}: ${log.message ?? usage}`
}
