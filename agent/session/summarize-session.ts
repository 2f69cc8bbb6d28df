import type { SessionStatus, TokenSummary } from '../../protocol/rpc/methods.js'
import type { ActiveToken, Session } from './session.js'

/** What callers may see of a token: ids, subject, profile and times; never the assertion. */
export function summarizeToken(token: ActiveToken): TokenSummary {
  return {
    assertionId: token.assertion.assertionId,
    subject: token.assertion.nameIdentifier.value,
    profile: token.profile,
    notBefore: token.assertion.conditions.notBefore.toISOString(),
    notOnOrAfter: token.assertion.conditions.notOnOrAfter.toISOString(),
    renewAt: token.renewAt.toISOString(),
    origin: token.origin,
  }
}

export function summarizeSession(session: Session, environment: string): SessionStatus {
  const token = session.current()
  return token ? { state: 'signed-in', environment, token: summarizeToken(token) } : { state: 'signed-out', environment }
}
