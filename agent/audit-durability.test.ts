import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../protocol/rpc/methods.js'
import { AuditLog, type AuditLogOptions } from './audit.js'

let root: string
/** The mode of the describe running: O_DSYNC writes (Linux's default) or write + fdatasync (other platforms'). */
let syncedWrites = true
let opened: AuditLog[] = []
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'audit-durable-'))
})
afterEach(async () => {
  await Promise.all(opened.map((log) => log.close()))
  opened = []
  rmSync(root, { recursive: true, force: true })
})

function newLog(options: Partial<AuditLogOptions> = {}): AuditLog {
  const log = new AuditLog({ dir: root, clock: () => new Date('2025-03-01T10:00:00Z'), syncedWrites, ...options })
  opened.push(log)
  return log
}

const use = (i: number): Omit<AuditRecord, 'time'> => ({
  event: 'soap.sign',
  client: { id: 'c1', name: 'Practice app' },
  method: 'soap.sign',
  token: { assertionId: '_t', subject: '85010112345' },
  signatureId: `SIG-${i}`,
  outcome: 'ok',
})

describe.each([
  { synced: true, how: 'O_DSYNC writes' },
  { synced: false, how: 'write + fdatasync' },
])('AuditLog.commit: durable before delivered ($how)', ({ synced }) => {
  beforeEach(() => {
    syncedWrites = synced
  })

  it('resolves only once the record is in the file, never before', async () => {
    const log = newLog()
    await log.open()
    for (let i = 0; i < 20; i++) {
      let resolved = false
      const done = log.commit(use(i)).then(() => (resolved = true))
      // Synchronously after commit the record is only in the batch: not on disk, not resolved.
      expect(readFileSync(join(root, 'audit.jsonl'), 'utf8')).not.toContain(`"SIG-${i}"`)
      await done
      expect(resolved).toBe(true)
      expect(readFileSync(join(root, 'audit.jsonl'), 'utf8')).toContain(`"signatureId":"SIG-${i}"`)
    }
  })

  it('groups the records that arrive while a write runs into the next single write + fdatasync', async () => {
    const log = newLog()
    await log.open()
    const before = log.commitStats()
    // 64 writers, 10 records each, each waiting for its record before making the next (like 64 clients).
    await Promise.all(
      Array.from({ length: 64 }, async (_, w) => {
        for (let k = 0; k < 10; k++) await log.commit(use(w * 10 + k))
      }),
    )
    const stats = log.commitStats()
    expect(stats.records - before.records).toBe(640)
    // Each writer waits for its own record, so the rounds are far fewer than the records.
    expect(stats.writes - before.writes).toBeLessThan(640 / 4)
    const lines = readFileSync(join(root, 'audit.jsonl'), 'utf8').trim().split('\n')
    expect(new Set(lines.map((l) => (JSON.parse(l) as AuditRecord).signatureId)).size).toBe(640)
  })

  it('rejects with ERR_AUDIT_UNAVAILABLE when the record cannot be written, and recovers', async () => {
    const blocked = join(root, 'not-a-dir')
    writeFileSync(blocked, 'a file where the directory should be')
    const log = newLog({ dir: blocked })
    log.onError = () => undefined
    await expect(log.commit(use(1))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
    expect(log.status()).toMatchObject({ state: 'failing', message: expect.stringMatching(/could not be written/) })
    // The error names no path (it goes to API callers).
    await log.commit(use(2)).catch((err: { message: string; data: unknown }) => {
      expect(err.message + JSON.stringify(err.data)).not.toContain(root)
    })
    rmSync(blocked)
    await log.commit(use(3))
    expect(log.status().state).toBe('ok')
    expect((await log.list()).map((r) => r.signatureId)).toEqual(['SIG-3'])
  })

  it('notices its directory deleted under it instead of writing into a file nobody can find', async () => {
    const dir = join(root, 'audit')
    const log = newLog({ dir })
    log.onError = () => undefined
    await log.commit(use(1))
    rmSync(dir, { recursive: true })
    await expect(log.commit(use(2))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
    // The next write starts a new file in a new directory.
    await log.commit(use(3))
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).toContain('"SIG-3"')
  })

  it('durable() follows the newest record: resolved when written, rejected when its write failed', async () => {
    const blocked = join(root, 'blocked')
    writeFileSync(blocked, 'x')
    const log = newLog({ dir: blocked })
    log.onError = () => undefined
    log.record(use(1))
    await expect(log.durable()).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
    await expect(log.flush()).resolves.toBeUndefined()
    rmSync(blocked)
    log.record(use(2))
    await expect(log.durable()).resolves.toBeUndefined()
  })

  it('refuses records after close, and close waits for those before it', async () => {
    const log = newLog()
    const pending = log.commit(use(1))
    await log.close()
    await pending
    expect(readFileSync(join(root, 'audit.jsonl'), 'utf8')).toContain('"SIG-1"')
    await expect(log.commit(use(2))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
    expect(() => log.assertCanRecordUse()).toThrow(expect.objectContaining({ code: 'ERR_AUDIT_UNAVAILABLE' }))
  })
})
