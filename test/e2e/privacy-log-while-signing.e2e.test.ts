/**
 * The record of a signature is written while the key signs (agent/rpc/methods/soap-sign.ts). The
 * keystore's key is wrapped so the test decides when, and whether, a signature comes back; the
 * privacy log is read from the state directory's `audit.jsonl` with JSON.parse, not with the
 * agent's reader. That the envelope still leaves only after its record is on disk is watched from
 * outside, with strace, in privacy-log-order.system.test.ts.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeySource } from '../../agent/keys/key-source.js'
import { createPkcs12KeySource } from '../../agent/keys/pkcs12-key-source.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { AgentError } from '../../protocol/errors.js'
import type { AuditRecord } from '../../protocol/rpc/methods.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

/** What the next signature does: wait until a test says so, fail, or be made at once. */
type NextSign = { kind: 'normal' } | { kind: 'held'; release: Promise<void>; started: () => void } | { kind: 'fail'; error: Error }

let next: NextSign = { kind: 'normal' }
let t: TestAgent
let cli: AgentClient

/** The keystore's key source, its `sign` steered by `next`; everything else is the real one's. */
function steeredKeySource(real: KeySource): KeySource {
  return {
    get kind() {
      return real.kind
    },
    get label() {
      return real.label
    },
    get protectedAuthenticationPath() {
      return real.protectedAuthenticationPath
    },
    loginRequirement: () => real.loginRequirement(),
    certificate: () => real.certificate(),
    loginState: () => real.loginState(),
    login: (secret) => real.login(secret),
    logout: () => real.logout(),
    close: () => real.close(),
    async sign(data, hash) {
      const plan = next
      next = { kind: 'normal' }
      if (plan.kind === 'fail') throw plan.error
      if (plan.kind === 'held') {
        plan.started()
        await plan.release
      }
      return real.sign(data, hash)
    },
  }
}

/** The privacy log's live file as it is on disk, one parsed record per line. */
function recordsOnDisk(): AuditRecord[] {
  const file = findFile(t.stateDir, 'audit.jsonl')
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord)
}

function findFile(dir: string, name: string): string {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isFile() && entry.name === name) return path
    if (entry.isDirectory()) {
      try {
        return findFile(path, name)
      } catch {
        // not under this folder
      }
    }
  }
  throw new Error(`no ${name} under ${dir}`)
}

function signatureIdOf(envelope: string): string {
  const id = /<(?:[A-Za-z_][\w.-]*:)?Signature\b[^>]*?\sId="([^"]+)"/.exec(envelope)?.[1]
  if (!id) throw new Error('a signed envelope without a Signature Id')
  return id
}

beforeAll(async () => {
  const pki = await sharedSandboxPki()
  t = await startTestAgent({ keySources: { keystore: steeredKeySource(createPkcs12KeySource({ path: pki.keystores.doctor.p12Path })) } })
  cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
  await cli.call('session.login', { method: 'keystore', profile: 'doctor' })
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
  if (t) rmSync(t.stateDir, { recursive: true, force: true })
})

describe('soap.sign: the privacy-log record is written while the key signs', () => {
  it('has the record on disk while the key is still signing; the envelope handed out is the one recorded', async () => {
    let release!: () => void
    let started!: () => void
    const signing = new Promise<void>((resolve) => (started = resolve))
    next = { kind: 'held', release: new Promise<void>((resolve) => (release = resolve)), started }
    const before = recordsOnDisk().filter((r) => r.event === 'soap.sign').length
    const call = cli.call('soap.sign', { envelope: makeEnvelope(500) })
    await signing
    // The key has not answered; the record must reach the disk meanwhile (with the record written
    // only after the signature, this wait would run out).
    const deadline = Date.now() + 10_000
    while (recordsOnDisk().filter((r) => r.event === 'soap.sign').length === before) {
      if (Date.now() > deadline) throw new Error('the record was not written while the key signed')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const written = recordsOnDisk().filter((r) => r.event === 'soap.sign').at(-1)!
    expect(written).toMatchObject({ method: 'soap.sign', outcome: 'ok', client: { name: expect.any(String) } })
    release()
    const { envelope } = await call
    expect(signatureIdOf(envelope)).toBe(written.signatureId)
  })

  it('a key that fails after the record was written: the error reaches the caller, and a second record says the signature was never handed out', async () => {
    next = { kind: 'fail', error: new AgentError('ERR_KEY_SOURCE', 'the card was removed while signing') }
    const before = recordsOnDisk().length
    await expect(cli.call('soap.sign', { envelope: makeEnvelope(500) })).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE' })
    const added = recordsOnDisk().slice(before)
    expect(added.map((r) => [r.event, r.outcome, r.errorCode])).toEqual([
      ['soap.sign', 'ok', undefined],
      ['soap.sign', 'error', 'ERR_KEY_SOURCE'],
    ])
    expect(added[1]!.signatureId).toBe(added[0]!.signatureId)
    // The agent keeps signing afterwards.
    const { envelope } = await cli.call('soap.sign', { envelope: makeEnvelope(500) })
    expect(recordsOnDisk().at(-1)).toMatchObject({ signatureId: signatureIdOf(envelope), outcome: 'ok' })
  })

  it('soap.call: a key that fails leaves the same two records', async () => {
    next = { kind: 'fail', error: new Error('an unexpected failure inside the key source') }
    const before = recordsOnDisk().length
    const endpoint = Object.values(t.agent.services.environment.services)[0]!
    await expect(cli.call('soap.call', { endpoint, envelope: makeEnvelope(500) })).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
    const added = recordsOnDisk().slice(before)
    expect(added.map((r) => [r.event, r.outcome, r.errorCode])).toEqual([
      ['soap.call', 'ok', undefined],
      ['soap.call', 'error', 'ERR_INTERNAL'],
    ])
    expect(added[0]!.service).toMatchObject({ endpoint })
  })
})
