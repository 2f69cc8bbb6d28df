import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { CallerProgram, PeerConnection, PeerFacts } from '../../agent/callers/caller-program.js'
import { WEB_ORIGIN_HEADER } from '../../protocol/browser-extension/names.js'
import { formatPairingCode, pairingCodeInput } from '../../protocol/rpc/pairing-code.js'
import type { AuditRecord } from '../../protocol/rpc/methods.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { send } from '../helpers/http-send.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

/**
 * Who is calling, through a real agent on a real loopback socket, with the operating system's
 * answer stood in by an identifier the test controls (the real ones are tested on recorded output
 * beside their code, and for real in test/e2e/callers.system.test.ts): the program names the
 * local credential's caller, a paired credential is bound to its executable, the use policy is
 * applied, and only the browser extension's credential may name a website, one the settings allow
 * and the user approved.
 */

const program = (executable: string, pid: number, commandLine?: string): CallerProgram => ({
  pid,
  executable,
  name: executable.split('/').pop()!,
  user: 'jan',
  uid: process.getuid?.() ?? 0,
  ...(commandLine ? { commandLine } : {}),
})
const CURL = program('/usr/bin/curl', 4101, 'curl')
const PYTHON = program('/usr/bin/python3.11', 4202, 'python3 sign.py')
const CLI = program(process.execPath, 4303, 'node /opt/ehealth-agent/bin/ehagent.js')

/** The program the next connection comes from; the identifier is asked once per connection. */
let current: CallerProgram | undefined
const asked: PeerConnection[] = []
const identifyPeer = {
  async identify(connection: PeerConnection): Promise<PeerFacts> {
    asked.push(connection)
    return { uid: process.getuid?.() ?? 0, ...(current ? { program: current } : {}) }
  },
}

let t: TestAgent
let local: string
let approve = true
const ORIGIN = 'https://app.example.be'

beforeAll(async () => {
  t = await startTestAgent({
    identifyPeer,
    script: { secret: 'sandbox', approve: () => approve },
    config: { allowedWebOrigins: [ORIGIN] },
  })
  local = readFileSync(join(t.stateDir, 'run', 'credential'), 'utf8').trim()
}, 60_000)
afterAll(() => t?.agent.close())
beforeEach(() => {
  approve = true
  current = undefined
})

interface RpcAnswer {
  status: number
  result?: Record<string, unknown>
  error?: { code: number; message: string; data: Record<string, unknown> }
}

/** One JSON-RPC call from `from`, on a fresh connection (so the identifier is asked again). */
async function rpc(from: CallerProgram | undefined, method: string, params: unknown, credential?: string, headers: Record<string, string> = {}, agent?: Agent): Promise<RpcAnswer> {
  current = from
  const answer = await send(
    { port: t.port },
    'POST',
    '/rpc',
    {
      host: `127.0.0.1:${t.port}`,
      'content-type': 'application/json',
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...headers,
    },
    [JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })],
    agent ? { agent } : {},
  )
  const body = JSON.parse(answer.body) as Omit<RpcAnswer, 'status'>
  return { status: answer.status, ...body }
}

async function records(): Promise<AuditRecord[]> {
  await t.agent.services.audit.flush()
  return t.agent.services.audit.list({ limit: 1000 })
}

async function pair(from: CallerProgram | undefined, params: Record<string, unknown>): Promise<{ clientId: string; credential: string; pairingCode: string; usePolicy: string }> {
  const answer = await rpc(from, 'client.pair', params)
  expect(answer.error).toBeUndefined()
  return answer.result as never
}

describe('the local credential is named after the program that uses it', () => {
  it('curl appears as curl, with its executable and pid, in the prompt and the privacy log', async () => {
    const answer = await rpc(CURL, 'soap.sign', { envelope: makeEnvelope(200) }, local)
    expect(answer.result?.envelope).toContain('wsse:Security')
    expect(t.prompter.prompts.at(-1)).toMatchObject({ client: 'curl', program: { executable: '/usr/bin/curl', pid: 4101 } })
    const sign = (await records()).find((r) => r.event === 'soap.sign')
    expect(sign).toMatchObject({ client: { id: 'local', name: 'curl' }, program: { name: 'curl', executable: '/usr/bin/curl', pid: 4101, user: 'jan' } })
    const login = (await records()).find((r) => r.event === 'login')
    expect(login).toMatchObject({ client: { name: 'curl' }, program: { executable: '/usr/bin/curl' } })
  })

  it('the agent’s own CLI is "ehagent"; a program the OS did not name is "this user"', async () => {
    await rpc(CLI, 'soap.sign', { envelope: makeEnvelope(100) }, local)
    await rpc(undefined, 'soap.sign', { envelope: makeEnvelope(100) }, local)
    const signs = (await records()).filter((r) => r.event === 'soap.sign')
    expect(signs[1]).toMatchObject({ client: { name: 'ehagent' }, program: { executable: process.execPath } })
    expect(signs[0]!.client).toEqual({ id: 'local', name: 'ehagent (this user)' })
    expect(signs[0]!.program).toBeUndefined()
  })

  it('asks the operating system once per connection, not once per request', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 })
    const before = asked.length
    for (let i = 0; i < 5; i++) expect((await rpc(CURL, 'session.status', {}, local, {}, keepAlive)).result).toBeDefined()
    keepAlive.destroy()
    expect(asked.length - before).toBe(1)
  })
})

describe('pairing names the program and shows a code the application computes too', () => {
  it('the prompt has the executable, pid, user and the code of the nonce; the result returns it', async () => {
    const nonce = 'n0nce-for-curl-pairing-0001'
    const expected = formatPairingCode(createHash('sha256').update(pairingCodeInput(nonce)).digest())
    const paired = await pair(CURL, { name: 'Totally Legit HIS', nonce, usePolicy: 'notify' })
    expect(paired.pairingCode).toBe(expected)
    expect(paired.usePolicy).toBe('notify')
    expect(t.prompter.pairings.at(-1)).toMatchObject({
      client: 'Totally Legit HIS',
      program: { executable: '/usr/bin/curl', pid: 4101, user: 'jan' },
      code: expected,
      codeShownByApplication: true,
      kind: 'application',
    })
    expect(t.agent.services.clients.list().find((c) => c.clientId === paired.clientId)).toMatchObject({ executables: ['/usr/bin/curl'], usePolicy: 'notify' })
    const record = (await records()).find((r) => r.event === 'client.pair')
    expect(record).toMatchObject({ client: { name: 'Totally Legit HIS' }, program: { executable: '/usr/bin/curl' }, outcome: 'ok' })
  })

  it('without a nonce the agent draws one: the page says the application could not show it', async () => {
    const paired = await pair(CURL, { name: 'No code app' })
    expect(paired.pairingCode).toMatch(/^\d{6}$/)
    expect(t.prompter.pairings.at(-1)).toMatchObject({ code: paired.pairingCode, codeShownByApplication: false })
  })

  it('a nonce that is too short is refused before anyone is asked', async () => {
    const before = t.prompter.pairings.length
    expect((await rpc(CURL, 'client.pair', { name: 'x', nonce: 'short' })).error?.data.code).toBe('ERR_INVALID_PARAMS')
    expect(t.prompter.pairings).toHaveLength(before)
  })
})

describe('a paired credential is bound to its executable', () => {
  it('used by another program it is refused and audited with both, unless the user approves that program', async () => {
    const paired = await pair(CURL, { name: 'Curl script' })
    expect((await rpc(CURL, 'session.status', {}, paired.credential)).result).toBeDefined()

    approve = false
    const refused = await rpc(PYTHON, 'session.status', {}, paired.credential)
    expect(refused.status).toBe(401)
    expect(refused.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'other-program' })
    expect(t.prompter.approvals.at(-1)).toMatchObject({ kind: 'program', client: 'Curl script', boundExecutables: ['/usr/bin/curl'], program: { executable: '/usr/bin/python3.11' } })
    const rejected = (await records()).find((r) => r.event === 'rejected' && r.errorCode === 'other-program')
    expect(rejected).toMatchObject({ client: { name: 'Curl script' }, program: { executable: '/usr/bin/python3.11', commandLine: 'python3 sign.py' }, pairedExecutables: ['/usr/bin/curl'] })

    approve = true
    expect((await rpc(PYTHON, 'session.status', {}, paired.credential)).result).toBeDefined()
    expect(t.agent.services.clients.list().find((c) => c.clientId === paired.clientId)?.executables).toEqual(['/usr/bin/curl', '/usr/bin/python3.11'])
    // Approved once: no more questions for that program.
    const asks = t.prompter.approvals.length
    expect((await rpc(PYTHON, 'session.status', {}, paired.credential)).result).toBeDefined()
    expect(t.prompter.approvals).toHaveLength(asks)
  })

  it('a bound credential from a program the OS cannot name is refused without asking', async () => {
    const paired = await pair(CURL, { name: 'Bound' })
    const asks = t.prompter.approvals.length
    const refused = await rpc(undefined, 'session.status', {}, paired.credential)
    expect(refused.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'program-unknown' })
    expect(t.prompter.approvals).toHaveLength(asks)
  })
})

describe('the use policy of a paired application', () => {
  const envelope = makeEnvelope(300)
  const BODY_ROOT = '{urn:be:fgov:ehealth:test:v1}ConsultRequest'

  it('ask: the user sees program, operation and Body root from the agent’s own parse; a no signs nothing', async () => {
    const paired = await pair(PYTHON, { name: 'Careful app', usePolicy: 'ask' })
    approve = false
    const refused = await rpc(PYTHON, 'soap.sign', { envelope }, paired.credential)
    expect(refused.error?.data).toMatchObject({ code: 'ERR_USER_CANCELLED', reason: 'use-denied' })
    expect(t.prompter.approvals.at(-1)).toEqual(expect.objectContaining({ kind: 'use', method: 'soap.sign', bodyRoot: BODY_ROOT, client: 'Careful app', program: PYTHON }))
    approve = true
    const signs = (await records()).filter((r) => r.event === 'soap.sign' && r.client?.name === 'Careful app')
    expect(signs.map((r) => r.outcome)).toEqual(['rejected'])
    expect((await rpc(PYTHON, 'soap.sign', { envelope }, paired.credential)).result?.envelope).toContain('wsse:Security')
  })

  it('notify: a notice names the program and the operation; silent: none', async () => {
    const notifying = await pair(CURL, { name: 'Noisy app', usePolicy: 'notify' })
    const before = t.prompter.notices.length
    await rpc(CURL, 'soap.sign', { envelope }, notifying.credential)
    const used = t.prompter.notices.slice(before).filter((n) => n.kind === 'used')
    expect(used).toHaveLength(1)
    expect(used[0]!.text).toContain('Noisy app (/usr/bin/curl, pid 4101)')
    expect(used[0]!.text).toContain(BODY_ROOT)
    const quiet = await pair(CURL, { name: 'Quiet app' })
    const after = t.prompter.notices.length
    await rpc(CURL, 'soap.sign', { envelope }, quiet.credential)
    expect(t.prompter.notices.slice(after).filter((n) => n.kind === 'used')).toEqual([])
  })

  it('the admin pages’ change applies to the next call', async () => {
    const paired = await pair(CURL, { name: 'Changed app' })
    await t.agent.services.clients.setUsePolicy(paired.clientId, 'ask')
    const asks = t.prompter.approvals.length
    await rpc(CURL, 'soap.sign', { envelope }, paired.credential)
    expect(t.prompter.approvals.slice(asks).map((a) => a.kind)).toEqual(['use'])
  })
})

describe('websites behind the browser extension', () => {
  const NODE = program(process.execPath, 4404, 'node /opt/ehealth-agent/native-host/main.js')
  let extension: { clientId: string; credential: string }

  beforeAll(async () => {
    extension = await pair(NODE, { name: 'Browser extension (genikcfmigceelnkkckhdkieobalmnob)', kind: 'browser-extension' })
  })

  it('pairs for signing only, and names no website until one asks', () => {
    expect(t.agent.services.clients.list().find((c) => c.clientId === extension.clientId)).toMatchObject({ kind: 'browser-extension', scopes: { methods: ['soap.sign'] } })
    expect(t.prompter.pairings.at(-1)).toMatchObject({ kind: 'browser-extension' })
  })

  it('an allowed website is approved once by the user, then named in every prompt and record', async () => {
    const asks = t.prompter.approvals.length
    const first = await rpc(NODE, 'soap.sign', { envelope: makeEnvelope(100) }, extension.credential, { [WEB_ORIGIN_HEADER]: ORIGIN })
    expect(first.result?.envelope).toContain('wsse:Security')
    expect(t.prompter.approvals.slice(asks)).toEqual([expect.objectContaining({ kind: 'origin', origin: ORIGIN, program: NODE })])
    await rpc(NODE, 'soap.sign', { envelope: makeEnvelope(100) }, extension.credential, { [WEB_ORIGIN_HEADER]: ORIGIN })
    expect(t.prompter.approvals.length - asks).toBe(1)
    const signs = (await records()).filter((r) => r.event === 'soap.sign' && r.origin === ORIGIN)
    expect(signs).toHaveLength(2)
    expect(signs[0]).toMatchObject({ client: { id: extension.clientId }, program: { executable: process.execPath } })
  })

  it('a website the settings do not allow is refused, asked of nobody, and logged with its origin', async () => {
    const asks = t.prompter.approvals.length
    const refused = await rpc(NODE, 'soap.sign', { envelope: makeEnvelope(100) }, extension.credential, { [WEB_ORIGIN_HEADER]: 'https://evil.example' })
    expect(refused.status).toBe(401)
    expect(refused.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'origin-not-allowed' })
    expect(t.prompter.approvals).toHaveLength(asks)
    expect((await records()).find((r) => r.origin === 'https://evil.example')).toMatchObject({ event: 'rejected', outcome: 'rejected', errorCode: 'origin-not-allowed' })
  })

  it('a website the user refuses gets ERR_PAIRING_DENIED; withdrawn consent is asked again', async () => {
    await t.agent.services.clients.revokeOrigin(extension.clientId, ORIGIN)
    approve = false
    const denied = await rpc(NODE, 'soap.sign', { envelope: makeEnvelope(100) }, extension.credential, { [WEB_ORIGIN_HEADER]: ORIGIN })
    expect(denied.error?.data).toMatchObject({ code: 'ERR_PAIRING_DENIED', reason: 'origin-denied' })
    approve = true
    expect((await rpc(NODE, 'soap.sign', { envelope: makeEnvelope(100) }, extension.credential, { [WEB_ORIGIN_HEADER]: ORIGIN })).result).toBeDefined()
  })

  it('the extension must name the website; no other client may name one', async () => {
    const missing = await rpc(NODE, 'soap.sign', { envelope: makeEnvelope(100) }, extension.credential)
    expect(missing.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'web-origin-missing' })
    const fromLocal = await rpc(CURL, 'soap.sign', { envelope: makeEnvelope(100) }, local, { [WEB_ORIGIN_HEADER]: ORIGIN })
    expect(fromLocal.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'web-origin-not-expected' })
    const app = await pair(CURL, { name: 'Plain app' })
    const fromApp = await rpc(CURL, 'soap.sign', { envelope: makeEnvelope(100) }, app.credential, { [WEB_ORIGIN_HEADER]: ORIGIN })
    expect(fromApp.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'web-origin-not-expected' })
    const anonymous = await rpc(CURL, 'client.pair', { name: 'x' }, undefined, { [WEB_ORIGIN_HEADER]: ORIGIN })
    expect(anonymous.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'web-origin-not-expected' })
  })
})
