import { AgentError, isAgentError } from '../../protocol/errors.js'

/** A write failure as the caller of a use sees it: the disk full, or the log unavailable. No path. */
export function toAuditError(err: unknown): AgentError {
  if (isAgentError(err)) return err
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AgentError('ERR_AUDIT_FULL', 'the disk holding the privacy log is full: the token is not used unlogged', { reason: code }, { cause: err })
  }
  return new AgentError('ERR_AUDIT_UNAVAILABLE', undefined, { reason: typeof code === 'string' ? code : 'write failed' }, { cause: err })
}

