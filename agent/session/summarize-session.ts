import type { AuditRecord, SessionStatus, TokenSummary } from '../../protocol/rpc/methods.js'
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
    origin: token.grant ? 'iam-connect' : token.origin,
    ...(token.realIdentity ? { realIdentity: auditIdentity(token) } : {}),
  }
}

/**
 * The token as the privacy log records it: with the real person behind an exchanged token (IAM
 * eXchange Annex A §1.5).
 */
export function auditToken(token: ActiveToken): NonNullable<AuditRecord['token']> {
  return {
    assertionId: token.assertion.assertionId,
    subject: token.assertion.nameIdentifier.value,
    profile: token.profile.id,
    ...(token.realIdentity ? { realIdentity: auditIdentity(token) } : {}),
  }
}

function auditIdentity(token: ActiveToken): { issuer: string; subject: string; name?: string } {
  const r = token.realIdentity!
  return { issuer: r.issuer, subject: r.subject, ...(r.name ? { name: r.name } : {}) }
}

export function summarizeSession(session: Session, environment: string): SessionStatus {
  const token = session.current()
  return token ? { state: 'signed-in', environment, token: summarizeToken(token) } : { state: 'signed-out', environment }
}
