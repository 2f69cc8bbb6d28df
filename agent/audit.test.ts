import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../protocol/rpc/methods.js'
import { AuditLog } from './audit.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'audit-test-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** A clock that moves one second per reading, so every record has its own time. */
function steppingClock(start = Date.parse('2025-03-01T10:00:00.000Z')): () => Date {
  let t = start
  return () => new Date((t += 1000))
}

const signRecord = (i: number): Omit<AuditRecord, 'time'> => ({
  event: 'token.use',
  client: { id: 'c1', name: 'Practice app', pid: 4242, executable: '/usr/bin/practice' },
  method: i % 2 === 0 ? 'soap.sign' : 'soap.call',
  service: { endpoint: 'https://services.ehealth.fgov.be/consultRN/v1', soapAction: 'urn:be:fgov:search', operation: 'SearchPersonRequest' },
  token: { assertionId: `_a${i}`, subject: '85010112345', profile: 'doctor' },
  outcome: 'ok',
})

function readAllLogFiles(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('')
}

describe('AuditLog', () => {
  it('round-trips records through list, newest first, with limit, since and method filters', async () => {
    const log = new AuditLog({ dir: join(root, 'audit'), clock: steppingClock() })
    for (let i = 0; i < 10; i++) log.record(signRecord(i))
    const all = await log.list()
    expect(all).toHaveLength(10)
    expect(all[0]).toEqual({ ...signRecord(9), time: '2025-03-01T10:00:10.000Z' })
    expect(all.map((r) => r.token?.assertionId)).toEqual(['_a9', '_a8', '_a7', '_a6', '_a5', '_a4', '_a3', '_a2', '_a1', '_a0'])

    expect((await log.list({ limit: 3 })).map((r) => r.token?.assertionId)).toEqual(['_a9', '_a8', '_a7'])
    expect((await log.list({ method: 'soap.call' })).map((r) => r.token?.assertionId)).toEqual(['_a9', '_a7', '_a5', '_a3', '_a1'])
    // `since` is inclusive: _a7 was recorded at 10:00:08.
    expect((await log.list({ since: '2025-03-01T10:00:08.000Z' })).map((r) => r.token?.assertionId)).toEqual(['_a9', '_a8', '_a7'])
    expect((await log.list({ since: '2025-03-01T10:00:04.000Z', method: 'soap.sign', limit: 2 })).map((r) => r.token?.assertionId)).toEqual(['_a8', '_a6'])
    expect(await log.list({ method: 'session.login' })).toEqual([])
  })

  it('keeps optional parts absent rather than empty', async () => {
    const log = new AuditLog({ dir: root, clock: steppingClock() })
    log.record({ event: 'logout', outcome: 'ok' })
    log.record({ event: 'pair', client: { name: 'Excel macro' }, method: 'client.pair', outcome: 'rejected', errorCode: 'ERR_PAIRING_DENIED' })
    expect(await log.list()).toEqual([
      { time: '2025-03-01T10:00:02.000Z', event: 'pair', client: { name: 'Excel macro' }, method: 'client.pair', outcome: 'rejected', errorCode: 'ERR_PAIRING_DENIED' },
      { time: '2025-03-01T10:00:01.000Z', event: 'logout', outcome: 'ok' },
    ])
  })

  it('keeps the program and the website of a call: both name and executable, or no program at all', async () => {
    const log = new AuditLog({ dir: root, clock: steppingClock() })
    const program = { name: 'curl', executable: '/usr/bin/curl', pid: 4242, user: 'jan', commandLine: 'curl' }
    log.record({ ...signRecord(0), program, origin: 'https://app.example.be' })
    log.record({ ...signRecord(1), program: { name: 'curl', pid: 1, body: '<soap:Body/>' } as never, origin: 42 as never })
    const [second, first] = await log.list()
    expect(first).toMatchObject({ program, origin: 'https://app.example.be' })
    expect(second!.program).toBeUndefined()
    expect(second!.origin).toBeUndefined()
    expect(JSON.stringify(second)).not.toContain('soap:Body')
  })

  it('creates the directory 0700 and the files 0600', async () => {
    const previous = process.umask(0o022)
    try {
      const dir = join(root, 'state', 'audit')
      const log = new AuditLog({ dir, clock: steppingClock(), maxFileBytes: 600 })
      for (let i = 0; i < 6; i++) log.record(signRecord(i))
      await log.flush()
      expect(statSync(dir).mode & 0o777).toBe(0o700)
      const files = readdirSync(dir)
      expect(files.length).toBeGreaterThan(1) // rotated files too
      for (const name of files) expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600)
    } finally {
      process.umask(previous)
    }
  })

  it('makes a pre-existing log file 0600 on first write', async () => {
    writeFileSync(join(root, 'audit.jsonl'), '', { mode: 0o644 })
    const log = new AuditLog({ dir: root, clock: steppingClock() })
    log.record(signRecord(0))
    await log.flush()
    expect(statSync(join(root, 'audit.jsonl')).mode & 0o777).toBe(0o600)
  })

  it('rotates by size, keeps at most keepFiles rotated files, and lists across files', async () => {
    const dir = join(root, 'audit')
    const lineBytes = Buffer.byteLength(JSON.stringify({ ...signRecord(0), time: '2025-03-01T10:00:01.000Z' }) + '\n')
    // Room for three lines per file.
    const log = new AuditLog({ dir, clock: steppingClock(), maxFileBytes: lineBytes * 3 + 5, keepFiles: 3 })
    for (let i = 0; i < 40; i++) {
      log.record(signRecord(i))
      if (i % 7 === 0) await log.flush() // mix single writes and batches
    }
    await log.flush()
    expect(readdirSync(dir).sort()).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.3.jsonl', 'audit.jsonl'])
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(lineBytes * 3 + 5)

    const records = await log.list({ limit: 1000 })
    const ids = records.map((r) => Number(r.token!.assertionId.slice(2)))
    // Newest first, contiguous, ending at the last record written; the oldest were rotated away.
    expect(ids[0]).toBe(39)
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => 39 - k))
    expect(ids.length).toBeGreaterThanOrEqual(10)
    expect(ids.length).toBeLessThanOrEqual(12)
    expect((await log.list({ limit: 5 })).map((r) => r.token?.assertionId)).toEqual(['_a39', '_a38', '_a37', '_a36', '_a35'])
  })

  it('continues an existing log after a restart, rotating from its current size', async () => {
    const dir = join(root, 'audit')
    const first = new AuditLog({ dir, clock: steppingClock(), maxFileBytes: 1000 })
    first.record(signRecord(1))
    await first.flush()
    const second = new AuditLog({ dir, clock: steppingClock(Date.parse('2025-03-02T00:00:00Z')), maxFileBytes: 1000 })
    for (let i = 2; i < 8; i++) second.record(signRecord(i))
    expect((await second.list()).map((r) => r.token?.assertionId)).toEqual(['_a7', '_a6', '_a5', '_a4', '_a3', '_a2', '_a1'])
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(1000)
  })

  it('writes nothing of a body, a PIN, a password or a certificate, whatever field carries it', async () => {
    const canary = 'CANARY-7f3a9c-body-content'
    const body = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><p>${canary}</p></soap:Body></soap:Envelope>`
    const certBase64 = Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 37) % 256)).toString('base64')
    const pem = `-----BEGIN CERTIFICATE-----\n${certBase64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`
    const credential = Buffer.alloc(300, 7).toString('base64url')
    const log = new AuditLog({ dir: root, clock: steppingClock() })
    const hostile = {
      event: 'token.use',
      outcome: 'ok',
      // Unknown keys at the top and nested: dropped.
      body,
      envelope: body,
      pin: '918273',
      password: 'hunter2-keystore',
      params: { envelope: body, pin: '918273' },
      client: { name: 'App', pin: '918273', certificate: pem, secret: credential },
      token: { assertionId: '_t1', subject: '85010112345', assertion: `<saml:Assertion>${canary}</saml:Assertion>` },
      // Known fields carrying a payload: redacted.
      method: body,
      service: { endpoint: 'https://services.ehealth.fgov.be/x', soapAction: pem, operation: certBase64 },
      errorCode: credential,
    } as unknown as Omit<AuditRecord, 'time'>
    log.record(hostile)
    log.record({ event: 'login', outcome: 'error', client: { name: body }, errorCode: 'ERR_PIN_INCORRECT' })
    await log.flush()

    const onDisk = readAllLogFiles(root)
    for (const secret of [canary, '918273', 'hunter2', 'BEGIN CERTIFICATE', certBase64.slice(0, 40), certBase64.slice(-40, -5), credential.slice(0, 40), 'Envelope', 'pin', 'password']) {
      expect(onDisk, secret).not.toContain(secret)
    }
    const [second, first] = await log.list()
    expect(first).toEqual({
      time: '2025-03-01T10:00:01.000Z',
      event: 'token.use',
      outcome: 'ok',
      client: { name: 'App' },
      method: '[redacted]',
      service: { endpoint: 'https://services.ehealth.fgov.be/x', soapAction: '[redacted]', operation: '[redacted]' },
      token: { assertionId: '_t1', subject: '85010112345' },
      errorCode: '[redacted]',
    })
    expect(second!.client).toEqual({ name: '[redacted]' })
  })

  it('caps long strings, drops wrong types and maps an unknown outcome to error', async () => {
    const log = new AuditLog({ dir: root, clock: steppingClock() })
    log.record({
      event: 'word '.repeat(120),
      outcome: 'maybe',
      client: { name: 'App', pid: -3, id: 42 },
      service: { endpoint: `https://example.test/${'a.'.repeat(1200)}` },
      token: { subject: '85010112345' },
    } as unknown as Omit<AuditRecord, 'time'>)
    const [record] = await log.list()
    expect(record!.event).toHaveLength(512)
    expect(record!.outcome).toBe('error')
    expect(record!.client).toEqual({ name: 'App' })
    expect(record!.service!.endpoint).toHaveLength(2048)
    expect(record!.token).toEqual({ assertionId: '(unknown)', subject: '85010112345' })
  })

  it('serializes 1000 concurrent records: all present, each line valid JSON', async () => {
    const log = new AuditLog({ dir: root, clock: steppingClock() })
    await Promise.all(Array.from({ length: 1000 }, (_, i) => Promise.resolve().then(() => log.record(signRecord(i)))))
    await log.flush()
    const lines = readFileSync(join(root, 'audit.jsonl'), 'utf8').split('\n')
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(1000)
    const ids = new Set(lines.map((line) => (JSON.parse(line) as AuditRecord).token!.assertionId))
    expect(ids.size).toBe(1000)
    expect(await log.list({ limit: 1000 })).toHaveLength(1000)
  })

  it('serializes concurrent records across rotations without losing or tearing a line', async () => {
    const log = new AuditLog({ dir: root, clock: steppingClock(), maxFileBytes: 20_000, keepFiles: 100 })
    for (let i = 0; i < 1000; i++) log.record(signRecord(i))
    const records = await log.list({ limit: 1000 })
    expect(records.map((r) => r.token!.assertionId)).toEqual(Array.from({ length: 1000 }, (_, k) => `_a${999 - k}`))
    for (const name of readdirSync(root)) {
      for (const line of readFileSync(join(root, name), 'utf8').split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow()
    }
  })

  it('never throws from record; reports a write failure once per run of failures, then recovers', async () => {
    const blocked = join(root, 'not-a-dir')
    writeFileSync(blocked, 'a file where the directory should be')
    const errors: unknown[] = []
    const log = new AuditLog({ dir: blocked, clock: steppingClock() })
    log.onError = (err) => errors.push(err)
    expect(() => log.record(signRecord(1))).not.toThrow()
    await log.flush()
    log.record(signRecord(2))
    await log.flush()
    expect(errors).toHaveLength(1)

    rmSync(blocked)
    log.record(signRecord(3))
    await log.flush()
    expect((await log.list()).map((r) => r.token?.assertionId)).toEqual(['_a3'])

    rmSync(blocked, { recursive: true })
    writeFileSync(blocked, 'broken again')
    log.record(signRecord(4))
    await log.flush()
    expect(errors).toHaveLength(2)
  })

  it('does not throw when the clock or the error handler fails', async () => {
    const log = new AuditLog({
      dir: root,
      clock: () => {
        throw new Error('clock broken')
      },
    })
    log.onError = () => {
      throw new Error('handler broken too')
    }
    expect(() => log.record(signRecord(1))).not.toThrow()
    await expect(log.flush()).resolves.toBeUndefined()
    expect(await log.list()).toEqual([])
  })

  it('skips a torn or foreign line instead of failing the whole list, and does not glue the next record to it', async () => {
    const before = new AuditLog({ dir: root, clock: steppingClock() })
    before.record(signRecord(1))
    await before.flush()
    // What a crash mid-append (or a stray edit) leaves behind.
    writeFileSync(join(root, 'audit.jsonl'), readFileSync(join(root, 'audit.jsonl'), 'utf8') + '[1,2]\n{"time":"not a time"}\n{"event":"tor')
    const after = new AuditLog({ dir: root, clock: steppingClock(Date.parse('2025-03-02T00:00:00Z')) })
    after.record(signRecord(2))
    expect((await after.list()).map((r) => r.token?.assertionId)).toEqual(['_a2', '_a1'])
  })
})

describe('AuditLog while writing', () => {
  it('lists a consistent history while new records rotate the files under it', async () => {
    const lineBytes = Buffer.byteLength(JSON.stringify({ ...signRecord(0), time: '2025-03-01T10:00:01.000Z' }) + '\n')
    // Many small files: the list walks them from the newest while a rotation renames them from the oldest.
    const log = new AuditLog({ dir: root, clock: steppingClock(), maxFileBytes: lineBytes * 2, keepFiles: 1000 })
    let next = 0
    for (let k = 0; k < 120; k++) log.record(signRecord(next++))
    for (let round = 0; round < 3; round++) {
      await log.flush()
      const listing = log.list({ limit: 100_000 })
      for (let k = 0; k < 4; k++) log.record(signRecord(next++))
      const ids = (await listing).map((r) => Number(r.token!.assertionId.slice(2)))
      // Whatever moment the list saw: a contiguous run from the newest back to the first, no gap, no duplicate.
      expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => ids.length - 1 - k))
    }
    expect(await log.list({ limit: 100_000 })).toHaveLength(next)
  })

  it('drops rotated files beyond keepFiles, also those left by a larger setting', async () => {
    const lineBytes = Buffer.byteLength(JSON.stringify({ ...signRecord(0), time: '2025-03-01T10:00:01.000Z' }) + '\n')
    const wide = new AuditLog({ dir: root, clock: steppingClock(), maxFileBytes: lineBytes, keepFiles: 8 })
    for (let i = 0; i < 20; i++) wide.record(signRecord(i))
    await wide.flush()
    expect(readdirSync(root)).toHaveLength(9)
    const narrow = new AuditLog({ dir: root, clock: steppingClock(Date.parse('2025-03-02T00:00:00Z')), maxFileBytes: lineBytes, keepFiles: 2 })
    narrow.record(signRecord(20))
    await narrow.flush()
    expect(readdirSync(root).sort()).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl'])
    expect((await narrow.list()).map((r) => r.token?.assertionId)).toEqual(['_a20', '_a19', '_a18'])
  })
})
