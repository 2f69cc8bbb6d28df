import type { SessionStatus } from '../../../protocol/rpc/methods.js'

/** One line about the session, for the commands that change it. */
export function describeSession(s: SessionStatus): string {
  return s.token ? `signed in as ${s.token.subject} (${s.token.profile.label}) until ${s.token.notOnOrAfter}` : 'signed out'
}
