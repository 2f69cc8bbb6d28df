import { UsageError, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { showProgress } from '../show-progress.js'
import { describeSession } from './describe-session.js'

/**
 * `ehagent switch-profile PROFILE [--json]`: a global logout, then a sign-in with that profile
 * (eHealth I.AM IDP v1.0), so the agent asks for the PIN or password again.
 */
export const switchProfile: Command = async (ctx) => {
  const profile = ctx.args.positional[0]
  if (!profile) throw new UsageError('ehagent switch-profile needs the profile: ehagent switch-profile nurse (see `ehagent status`, profiles.list)')
  const agent = await connectAgent(ctx)
  const s = await showProgress(
    ctx,
    `switching to ${profile}: answer the PIN or password prompt of the agent (its window or terminal)…`,
    agent.call('session.switchProfile', { profile }),
  )
  printResult(ctx, s, describeSession(ctx, s))
  return EXIT_CODES.ok
}
