import type { SessionStatus } from '../../../protocol/rpc/methods.js'
import type { CliContext } from '../cli-context.js'
import { tellTime } from '../tell-time.js'

/** One line about the session, for the commands that change it. */
export function describeSession(ctx: Pick<CliContext, 'now' | 'timeZone'>, s: SessionStatus): string {
  return s.token ? `signed in as ${s.token.subject} (${s.token.profile.label}) until ${tellTime(ctx, s.token.notOnOrAfter)}` : 'signed out'
}
