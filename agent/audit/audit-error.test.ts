import { describe, expect, it } from 'vitest'
import { AgentError } from '../../protocol/errors.js'
import { toAuditError } from './audit-error.js'

const errno = (code: string) => Object.assign(new Error(`${code}: no space left on device, write '/home/anne/.local/state/ehealth-agent/audit/audit.jsonl'`), { code })

describe('toAuditError', () => {
  it('a full disk is ERR_AUDIT_FULL; any other failure ERR_AUDIT_UNAVAILABLE; neither carries the path', () => {
    for (const code of ['ENOSPC', 'EDQUOT']) expect(toAuditError(errno(code))).toMatchObject({ code: 'ERR_AUDIT_FULL', data: { reason: code } })
    const other = toAuditError(errno('EIO'))
    expect(other).toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE', data: { reason: 'EIO' } })
    for (const err of [toAuditError(errno('ENOSPC')), other]) expect(err.message + JSON.stringify(err.data)).not.toContain('/home/anne')
    expect(toAuditError(new Error('clock broken'))).toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE', data: { reason: 'write failed' } })
    const own = new AgentError('ERR_AUDIT_UNAVAILABLE', 'the agent is stopping')
    expect(toAuditError(own)).toBe(own)
  })
})
