import { describe, expect, it } from 'vitest'
import { classifyAuditFile, rotatedFileName, tempFileName } from './audit-file-names.js'

describe('privacy-log file names', () => {
  it('round-trips a rotated file: sequence, oldest and newest record times, compressed or not', () => {
    const file = { seq: 42, oldest: Date.parse('2025-03-01T10:00:01.000Z'), newest: Date.parse('2025-03-09T17:45:00.250Z'), compressed: true }
    const name = rotatedFileName(file)
    expect(name).toBe('audit-00000042-20250301T100001000Z-20250309T174500250Z.jsonl.gz')
    expect(classifyAuditFile(name)).toEqual({ kind: 'rotated', ...file })
    expect(classifyAuditFile(rotatedFileName({ ...file, compressed: false }))).toEqual({ kind: 'rotated', ...file, compressed: false })
    expect(rotatedFileName({ ...file, seq: 123_456_789 })).toMatch(/^audit-123456789-/)
  })

  it('tells the live file, the files of earlier versions and temporary files apart, and ignores the rest', () => {
    expect(classifyAuditFile('audit.jsonl')).toEqual({ kind: 'live' })
    expect(classifyAuditFile('audit.10.jsonl')).toEqual({ kind: 'legacy', index: 10 })
    expect(classifyAuditFile(tempFileName('audit-00000001-20250301T100001000Z-20250301T100001000Z.jsonl.gz'))).toEqual({ kind: 'temp' })
    for (const other of ['notes.txt', 'audit.jsonl.bak', 'audit-1-x-y.jsonl', 'audit-00000001-20251301T100001000Z-20250301T100001000Z.jsonl', 'audit.x.jsonl']) {
      expect(classifyAuditFile(other), other).toBeUndefined()
    }
  })

  it('clamps a broken clock into a valid name', () => {
    expect(rotatedFileName({ seq: 1, oldest: Number.NaN, newest: 8.64e15, compressed: false })).toBe('audit-00000001-19700101T000000000Z-99991231T235959999Z.jsonl')
  })
})
