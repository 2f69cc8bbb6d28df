/**
 * The privacy log at its disk budget, end to end: agent.status and `ehagent doctor` warn from
 * the warning level on; at the budget soap.sign, soap.call and sign-in are refused with
 * ERR_AUDIT_FULL before the token or the user is involved, and nothing is used unlogged. And
 * when the log cannot be written at all, the caller gets an error, not the signature.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { ERROR_CODES } from '../../protocol/errors.js'
import type { AuditRecord } from '../../protocol/rpc/methods.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

const MIB = 1024 * 1024
const privacyLog = { retentionMonths: 24, maxDiskMiB: 1, warnAtPercent: 90 }

let t: TestAgent
let cli: AgentClient
let scratch: string
beforeAll(async () => {
  t = await startTestAgent({ config: { privacyLog } })
  cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
  scratch = mkdtempSync(join(tmpdir(), 'privacy-log-full-'))
  // The doctor reads the settings from the file, as a user's agent would.
  writeFileSync(join(t.stateDir, 'config.json'), JSON.stringify({ environment: 'sandbox', privacyLog }))
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

/** Records that fill the log (as pairing refusals would): the test needs the disk use, not real uses. */
async function fillTo(bytes: number): Promise<void> {
  const audit = t.agent.services.audit
  let n = 0
  while (audit.status().usedBytes < bytes) {
    const batch: Promise<void>[] = []
    for (let i = 0; i < 200; i++) batch.push(audit.commit({ event: 'rejected', client: { name: `filler ${n++}` }, method: 'client.pair', outcome: 'rejected', errorCode: 'ERR_PAIRING_DENIED' }))
    await Promise.all(batch)
  }
}

async function doctorPrivacyLog(): Promise<{ status: string; detail: string; fix: string }> {
  const run = await runCliCaptured(['doctor', '--json', '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })
  const report = JSON.parse(run.stdout) as { checks: { id: string; status: string; detail: string; fix: string }[] }
  return report.checks.find((c) => c.id === 'privacy-log')!
}

const signRecords = async () => (await cli.call('audit.list', { event: 'soap.sign', limit: 1000 })).records

describe('privacy log at its disk budget', () => {
  it('is ok while there is room: signing works, agent.status and the doctor say so', async () => {
    await cli.call('session.login', { profile: 'doctor' })
    const signed = await cli.call('soap.sign', { envelope: makeEnvelope(1000) })
    const status = await cli.call('agent.status')
    expect(status.privacyLog).toMatchObject({ state: 'ok', budgetBytes: MIB, warnBytes: Math.floor(0.9 * MIB), retentionMonths: 24, droppedRecords: 0 })
    expect(status.privacyLog.message).toBeUndefined()
    const [record] = await signRecords()
    expect(record).toMatchObject({ event: 'soap.sign', outcome: 'ok', signatureId: /Id="(SIG-[^"]+)"/.exec(signed.envelope)![1] })
    expect((await doctorPrivacyLog()).status).toBe('ok')
  })

  it('warns from 90 %: agent.status, `ehagent status` and the doctor; uses still work', async () => {
    await fillTo(0.92 * MIB)
    const status = await cli.call('agent.status')
    expect(status.privacyLog).toMatchObject({ state: 'nearly-full', message: expect.stringMatching(/9\d%.*ERR_AUDIT_FULL.*privacyLog\.maxDiskMiB/) })
    const text = await runCliCaptured(['status', '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })
    expect(text.stdout).toMatch(/^privacy log NEARLY-FULL: the privacy log uses .* MiB of 1 MiB/m)
    const doctor = await doctorPrivacyLog()
    expect(doctor).toMatchObject({ status: 'warn', fix: expect.stringContaining(join(t.stateDir, 'audit')) })
    await cli.call('soap.sign', { envelope: makeEnvelope(1000) })
  })

  it('at the budget, refuses soap.sign, soap.call and sign-in with ERR_AUDIT_FULL, before the key or the user is involved', async () => {
    await fillTo(MIB)
    const status = await cli.call('agent.status')
    expect(status.privacyLog).toMatchObject({ state: 'full', message: expect.stringMatching(/disk budget.*refused.*unlogged/) })
    const before = await signRecords()

    // On the wire: the code, its number from the error table, a message and a hint saying what to do.
    const raw = await fetch(`${t.agent.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.agent.credential}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope: makeEnvelope(1000) } }),
    }).then((r) => r.json() as Promise<{ result?: unknown; error: { code: number; message: string; data: { code: string; hint: string; budgetBytes: number } } }>)
    expect(raw.result).toBeUndefined()
    expect(raw.error).toMatchObject({ code: ERROR_CODES.ERR_AUDIT_FULL.rpc, data: { code: 'ERR_AUDIT_FULL', budgetBytes: MIB } })
    expect(raw.error.message).toMatch(/disk budget \(1(\.0)? MiB of 1 MiB \(100%\)\)/)
    expect(raw.error.data.hint).toMatch(/privacyLog\.maxDiskMiB.*ehagent doctor/)
    await expect(cli.call('soap.call', { endpoint: t.agent.services.environment.services.hokEcho!, envelope: makeEnvelope(1000) })).rejects.toMatchObject({ code: 'ERR_AUDIT_FULL' })

    await cli.call('session.logout')
    const prompts = t.prompter.prompts.length
    await expect(cli.call('session.login', { profile: 'doctor' })).rejects.toMatchObject({ code: 'ERR_AUDIT_FULL' })
    // A soap.sign that would sign in first is refused before the prompt too.
    await expect(cli.call('soap.sign', { envelope: makeEnvelope(1000) })).rejects.toMatchObject({ code: 'ERR_AUDIT_FULL' })
    expect(t.prompter.prompts.length).toBe(prompts)
    expect((await cli.call('session.status')).state).toBe('signed-out')
    // Nothing was used, so nothing more was recorded as used.
    expect(await signRecords()).toEqual(before)

    const doctor = await doctorPrivacyLog()
    expect(doctor).toMatchObject({ status: 'fail', detail: expect.stringMatching(/ERR_AUDIT_FULL/), fix: expect.stringMatching(/privacyLog\.maxDiskMiB/) })
    expect(t.agent.services.audit.status().droppedRecords).toBe(0)
  })
})

describe('privacy log that cannot be written', () => {
  it('the caller gets ERR_AUDIT_UNAVAILABLE instead of the signature, and signing works again once it can be', async () => {
    const u = await startTestAgent()
    try {
      const client = new AgentClient({ url: u.agent.url, credential: u.agent.credential })
      await client.call('session.login', { profile: 'doctor' })
      await client.call('soap.sign', { envelope: makeEnvelope(500) })
      // A file where the folder should be: the log cannot be written, as root neither.
      const dir = join(u.stateDir, 'audit')
      rmSync(dir, { recursive: true })
      writeFileSync(dir, 'not a folder')
      for (let i = 0; i < 3; i++) {
        const failed = await client.call('soap.sign', { envelope: makeEnvelope(500) }).catch((err: unknown) => err)
        expect(failed).toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
        expect(JSON.stringify(failed)).not.toContain('<ds:Signature')
        expect(JSON.stringify(failed)).not.toContain(u.stateDir)
      }
      expect((await client.call('agent.status')).privacyLog.state).toBe('failing')
      rmSync(dir)
      const signed = await client.call('soap.sign', { envelope: makeEnvelope(500) })
      const records: AuditRecord[] = (await client.call('audit.list', { event: 'soap.sign' })).records
      expect(records.map((r) => r.signatureId)).toEqual([/Id="(SIG-[^"]+)"/.exec(signed.envelope)![1]])
      expect((await client.call('agent.status')).privacyLog.state).toBe('ok')
    } finally {
      await u.agent.close()
    }
  })
})
