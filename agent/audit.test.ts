import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../protocol/rpc/methods.js'
import { AuditLog, type AuditLogOptions } from './audit.js'

let root: string
let opened: AuditLog[] = []
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'audit-test-'))
})
afterEach(async () => {
  await Promise.all(opened.map((log) => log.close()))
  opened = []
  rmSync(root, { recursive: true, force: true })
})

/** A log closed after the test (its live file stays open while it runs). */
function newLog(options: AuditLogOptions): AuditLog {
  const log = new AuditLog(options)
  opened.push(log)
  return log
}

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

/** Every log file's text, the compressed ones decompressed. */
function readAllLogFiles(dir: string): string {
  return readdirSync(dir)
    .map((name) => {
      const data = readFileSync(join(dir, name))
      return (name.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8')
    })
    .join('')
}

describe('AuditLog', () => {
  it('round-trips records through list, newest first, with limit, since and method filters', async () => {
    const log = newLog({ dir: join(root, 'audit'), clock: steppingClock() })
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
    // from/to are inclusive; client matches the id or the name; event and outcome exactly.
    expect((await log.list({ from: '2025-03-01T10:00:03.000Z', to: '2025-03-01T10:00:05.000Z' })).map((r) => r.token?.assertionId)).toEqual(['_a4', '_a3', '_a2'])
    expect(await log.list({ client: 'c1', limit: 2 })).toHaveLength(2)
    expect(await log.list({ client: 'Practice app', limit: 20 })).toHaveLength(10)
    expect(await log.list({ client: 'Practice' })).toEqual([])
    expect(await log.list({ event: 'token.use', limit: 20 })).toHaveLength(10)
    expect(await log.list({ event: 'token' })).toEqual([])
    expect(await log.list({ outcome: 'error' })).toEqual([])
  })

  it('keeps optional parts absent rather than empty', async () => {
    const log = newLog({ dir: root, clock: steppingClock() })
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
      const log = newLog({ dir, clock: steppingClock(), maxFileBytes: 600 })
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
    const log = newLog({ dir: root, clock: steppingClock() })
    log.record(signRecord(0))
    await log.flush()
    expect(statSync(join(root, 'audit.jsonl')).mode & 0o777).toBe(0o600)
  })

  it('rotates by size, compresses the rotated files, and lists across all of them: nothing is dropped', async () => {
    const dir = join(root, 'audit')
    const lineBytes = Buffer.byteLength(JSON.stringify({ ...signRecord(0), time: '2025-03-01T10:00:01.000Z' }) + '\n')
    // Room for three lines per file.
    const log = newLog({ dir, clock: steppingClock(), maxFileBytes: lineBytes * 3 + 5 })
    for (let i = 0; i < 40; i++) {
      log.record(signRecord(i))
      if (i % 7 === 0) await log.flush() // mix single writes and batches
    }
    await log.flush()
    await log.maintain()
    const names = readdirSync(dir).sort()
    expect(names).toContain('audit.jsonl')
    const rotated = names.filter((n) => n !== 'audit.jsonl')
    expect(rotated.length).toBeGreaterThanOrEqual(13)
    for (const name of rotated) {
      expect(name).toMatch(/^audit-\d{8}-\d{8}T\d{9}Z-\d{8}T\d{9}Z\.jsonl\.gz$/)
      expect(gunzipSync(readFileSync(join(dir, name))).length).toBeLessThanOrEqual(lineBytes * 3 + 5)
    }
    expect(statSync(join(dir, 'audit.jsonl')).size).toBeLessThanOrEqual(lineBytes * 3 + 5)

    const ids = (await log.list({ limit: 1000 })).map((r) => Number(r.token!.assertionId.slice(2)))
    expect(ids).toEqual(Array.from({ length: 40 }, (_, k) => 39 - k))
    expect((await log.list({ limit: 5 })).map((r) => r.token?.assertionId)).toEqual(['_a39', '_a38', '_a37', '_a36', '_a35'])
    // Time ranges cross file boundaries: records 10..20 sit in several files.
    const all = await log.list({ limit: 1000 })
    const [from, to] = [all[29]!.time, all[19]!.time]
    expect((await log.list({ from, to })).map((r) => r.token?.assertionId)).toEqual(Array.from({ length: 11 }, (_, k) => `_a${20 - k}`))
    expect((await log.list({ from, to, limit: 3 })).map((r) => r.token?.assertionId)).toEqual(['_a20', '_a19', '_a18'])
  })

  it('continues an existing log after a restart, rotating from its current size', async () => {
    const dir = join(root, 'audit')
    const first = newLog({ dir, clock: steppingClock(), maxFileBytes: 1000 })
    first.record(signRecord(1))
    await first.flush()
    const second = newLog({ dir, clock: steppingClock(Date.parse('2025-03-02T00:00:00Z')), maxFileBytes: 1000 })
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
    const log = newLog({ dir: root, clock: steppingClock() })
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
    const log = newLog({ dir: root, clock: steppingClock() })
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
    const log = newLog({ dir: root, clock: steppingClock() })
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
    const log = newLog({ dir: root, clock: steppingClock(), maxFileBytes: 20_000 })
    for (let i = 0; i < 1000; i++) log.record(signRecord(i))
    const records = await log.list({ limit: 1000 })
    expect(records.map((r) => r.token!.assertionId)).toEqual(Array.from({ length: 1000 }, (_, k) => `_a${999 - k}`))
    // Once the compressions started by the rotations are done (no temporary file is left).
    await log.maintain()
    expect(readdirSync(root).length).toBeGreaterThan(5)
    expect(readdirSync(root).filter((n) => n.endsWith('.tmp'))).toEqual([])
    for (const line of readAllLogFiles(root).split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow()
  })

  it('never throws from record; reports a write failure once per run of failures, then recovers', async () => {
    const blocked = join(root, 'not-a-dir')
    writeFileSync(blocked, 'a file where the directory should be')
    const errors: unknown[] = []
    const log = newLog({ dir: blocked, clock: steppingClock() })
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
    const log = newLog({
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
    const before = newLog({ dir: root, clock: steppingClock() })
    before.record(signRecord(1))
    await before.flush()
    // What a crash mid-append (or a stray edit) leaves behind.
    writeFileSync(join(root, 'audit.jsonl'), readFileSync(join(root, 'audit.jsonl'), 'utf8') + '[1,2]\n{"time":"not a time"}\n{"event":"tor')
    const after = newLog({ dir: root, clock: steppingClock(Date.parse('2025-03-02T00:00:00Z')) })
    after.record(signRecord(2))
    expect((await after.list()).map((r) => r.token?.assertionId)).toEqual(['_a2', '_a1'])
  })
})

describe('AuditLog while writing', () => {
  it('lists a consistent history while new records rotate the files under it', async () => {
    const lineBytes = Buffer.byteLength(JSON.stringify({ ...signRecord(0), time: '2025-03-01T10:00:01.000Z' }) + '\n')
    // Many small files: the list walks them from the newest while a rotation renames them from the oldest.
    const log = newLog({ dir: root, clock: steppingClock(), maxFileBytes: lineBytes * 2 })
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

  it('takes over the numbered files of earlier versions, oldest first, and keeps every record', async () => {
    // What an earlier version left: audit.jsonl (newest), audit.1.jsonl, audit.2.jsonl (oldest).
    const line = (i: number) => JSON.stringify({ ...signRecord(i), time: new Date(Date.parse('2025-01-01T00:00:00Z') + i * 1000).toISOString() }) + '\n'
    writeFileSync(join(root, 'audit.2.jsonl'), line(0) + line(1))
    writeFileSync(join(root, 'audit.1.jsonl'), line(2) + line(3))
    writeFileSync(join(root, 'audit.jsonl'), line(4))
    const log = newLog({ dir: root, clock: steppingClock(Date.parse('2025-01-02T00:00:00Z')) })
    await log.open()
    log.record(signRecord(5))
    expect((await log.list()).map((r) => r.token?.assertionId)).toEqual(['_a5', '_a4', '_a3', '_a2', '_a1', '_a0'])
    const names = readdirSync(root).sort()
    expect(names).toEqual(['audit-00000001-20250101T000000000Z-20250101T000001000Z.jsonl.gz', 'audit-00000002-20250101T000002000Z-20250101T000003000Z.jsonl.gz', 'audit.jsonl'])
  })
})
