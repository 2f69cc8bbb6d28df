import type { Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { tellTime } from '../tell-time.js'

/** `ehagent status [--json]`: is the agent up, which environment, signed in as whom until when. */
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
    ].join('\n'),
  )
  return EXIT_CODES.ok
}
