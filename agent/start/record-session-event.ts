import type { AuditLog } from '../audit.js'
import { summarizeProgram } from '../rpc/describe-caller.js'
import type { SessionEvent } from '../session/session.js'

/**
 * What the privacy log keeps of a session event: who, which token, the outcome; never a body.
 * A sign-in and a renewal use the token's key: recorded as uses (never dropped, even past the
 * disk budget); the sign-in's caller waits until its record is on disk (session-login.ts).
 */
export function recordSessionEvent(audit: AuditLog, event: SessionEvent): void {
  switch (event.type) {
    case 'login':
      audit.recordUse({
        event: 'login',
        client: { name: event.client.client },
        ...(event.client.program ? { program: summarizeProgram(event.client.program) } : {}),
        ...(event.client.origin !== undefined ? { origin: event.client.origin } : {}),
        token: { assertionId: event.token.assertion.assertionId, subject: event.token.assertion.nameIdentifier.value, profile: event.token.profile.id },
        outcome: 'ok',
      })
      break
    case 'renewal':
      audit.recordUse({ event: 'renewal', token: { assertionId: event.token.assertion.assertionId, subject: event.token.assertion.nameIdentifier.value }, outcome: 'ok' })
      break
    case 'renewal-failed':
      audit.record({ event: 'renewal', outcome: 'error', errorCode: event.error.code })
      break
    case 'logout':
      audit.record({ event: 'logout', ...(event.assertionId ? { token: { assertionId: event.assertionId, subject: '' } } : {}), outcome: 'ok' })
      break
  }
}
