import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallerProgram, PeerFacts } from '../../agent/callers/caller-program.js'
import { rotatedFileName } from '../../agent/audit/audit-file-names.js'
import { PolicyState } from '../../agent/policy/policy-state.js'
import { renderClientsPage } from '../../agent/ui/pages/clients-page.js'
import { renderPairingPage } from '../../agent/ui/pages/pairing-page.js'
import { stringsFor } from '../../agent/ui/i18n/strings.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { WEB_ORIGIN_HEADER } from '../../protocol/browser-extension/names.js'
import { checkPolicy } from '../../protocol/policy/parse-policy.js'
import type { PolicyInEffect } from '../../protocol/policy/policy-schema.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { send } from '../helpers/http-send.js'
import { freePort, startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

/**
 * The admin policy over what the per-program callers, the proxy and the privacy log brought, through
 * a real agent on a real loopback socket (the program behind each connection stood in by an
 * identifier the test controls, as in test/e2e/callers.e2e.test.ts): the minimum use policy, the
 * websites behind the browser extension, the proxy, and the privacy log's retention. The policy
 * is replaced in memory, as the policy watch does when the file changes (the watch itself is
 * tested with a real file in admin-policy.system.test.ts).
 */

const POLICY_FILE = '/etc/ehealth-agent/policy.json'
const origin = { kind: 'file', location: POLICY_FILE } as const
const inEffect = (policy: unknown): PolicyInEffect => ({ origin, present: true, policy: checkPolicy(policy, origin) })

const program = (executable: string, pid: number): CallerProgram => ({ pid, executable, name: executable.split('/').pop()!, user: 'jan', uid: process.getuid?.() ?? 0 })
const HIS = program('/opt/his/bin/his', 5101)
const HOST = program(process.execPath, 5202)

let current: CallerProgram | undefined
const identifyPeer = { identify: async (): Promise<PeerFacts> => ({ uid: process.getuid?.() ?? 0, ...(current ? { program: current } : {}) }) }

interface RpcAnswer {
  status: number
  result?: Record<string, unknown>
  error?: { code: number; message: string; data: Record<string, unknown> }
}

async function rpc(t: TestAgent, from: CallerProgram | undefined, method: string, params: unknown, credential: string, headers: Record<string, string> = {}): Promise<RpcAnswer> {
  current = from
  const answer = await send(
    { port: t.port },
    'POST',
    '/rpc',
    { host: `127.0.0.1:${t.port}`, 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...headers },
    [JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })],
  )
  return { status: answer.status, ...(JSON.parse(answer.body) as Omit<RpcAnswer, 'status'>) }
}

/** client.pair needs no credential; sent without one. */
async function pair(t: TestAgent, from: CallerProgram, params: Record<string, unknown>): Promise<RpcAnswer> {
  current = from
  const answer = await send({ port: t.port }, 'POST', '/rpc', { host: `127.0.0.1:${t.port}`, 'content-type': 'application/json' }, [
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'client.pair', params }),
  ])
  return { status: answer.status, ...(JSON.parse(answer.body) as Omit<RpcAnswer, 'status'>) }
}

const localCredential = (t: TestAgent) => readFileSync(join(t.stateDir, 'run', 'credential'), 'utf8').trim()

describe('minimumUsePolicy: the stricter of the client’s use policy and the policy’s minimum', () => {
  let t: TestAgent
  let local: string
  const policy = new PolicyState(inEffect({ minimumUsePolicy: 'notify' }))
  beforeAll(async () => {
    t = await startTestAgent({ identifyPeer, script: { secret: 'sandbox' }, policy: { state: policy } })
    local = localCredential(t)
  }, 60_000)
  afterAll(() => t?.agent.close())

  it('client.pair asking for a weaker one (ehagent pair --use-policy silent) is refused with ERR_SETTING_LOCKED naming the policy file, before any page', async () => {
    const pairings = t.prompter.pairings.length
    const refused = await pair(t, HIS, { name: 'HIS', usePolicy: 'silent' })
    expect(refused.error?.data).toMatchObject({ code: 'ERR_SETTING_LOCKED', setting: 'usePolicy', policyField: 'minimumUsePolicy', minimum: 'notify', source: POLICY_FILE })
    expect(refused.error?.message).toContain(POLICY_FILE)
    expect(t.prompter.pairings).toHaveLength(pairings)
  })

  it('a pairing asking for none gets the minimum, and the page offers nothing weaker', async () => {
    const paired = await pair(t, HIS, { name: 'HIS' })
    expect(paired.result?.usePolicy).toBe('notify')
    const prompt = t.prompter.pairings.at(-1)!
    expect(prompt).toMatchObject({ usePolicy: 'notify', minimumUsePolicy: { level: 'notify', source: POLICY_FILE } })
    const page = String(renderPairingPage(stringsFor('en'), { id: 'p1', question: { kind: 'pairing', prompt }, state: { phase: 'waiting' } } as never, 'csrf').body)
    expect(page).toMatch(/value="silent"[^>]* disabled/)
    expect(page).toMatch(/value="notify" checked>/)
    expect(page).not.toMatch(/value="notify"[^>]* disabled/)
    expect(page).toContain(POLICY_FILE)
  })

  it('a client stored as silent is notified under notify and asked under ask; client.list and the clients page show the one in effect', async () => {
    // Paired before the policy's minimum was raised: its own choice stays "silent" in the file.
    const { client, credential } = await t.agent.services.clients.add('Old tool', { methods: ['soap.sign'], services: ['*'] }, undefined, { usePolicy: 'silent' })
    const envelope = makeEnvelope(200)
    const notices = t.prompter.notices.length
    expect((await rpc(t, HIS, 'soap.sign', { envelope }, credential)).result?.envelope).toContain('wsse:Security')
    expect(t.prompter.notices.slice(notices).filter((n) => n.kind === 'used')).toHaveLength(1)

    policy.replace(inEffect({ minimumUsePolicy: 'ask' }))
    const asks = t.prompter.approvals.length
    await rpc(t, HIS, 'soap.sign', { envelope }, credential)
    expect(t.prompter.approvals.slice(asks).map((a) => a.kind)).toEqual(['use'])

    const list = (await rpc(t, undefined, 'client.list', {}, local)).result as { clients: { clientId: string; usePolicy: string; raisedFrom?: string }[]; minimumUsePolicy?: unknown }
    expect(list.minimumUsePolicy).toEqual({ level: 'ask', source: POLICY_FILE })
    expect(list.clients.find((c) => c.clientId === client.clientId)).toMatchObject({ usePolicy: 'ask', raisedFrom: 'silent' })
    const page = String(renderClientsPage(stringsFor('en'), t.agent.services.clients.list(), { csrf: 'x', time: { language: 'en', timeZone: 'UTC' }, minimumUsePolicy: { level: 'ask', source: POLICY_FILE } }))
    expect(page).toMatch(/value="notify"[^>]* disabled/)
    expect(page).toMatch(/value="ask" selected>/)
    expect(page).toContain(POLICY_FILE)

    // Without the policy, its own choice is back: silent, nothing asked.
    policy.replace({ origin, present: false, policy: {} })
    const again = t.prompter.approvals.length
    await rpc(t, HIS, 'soap.sign', { envelope }, credential)
    expect(t.prompter.approvals).toHaveLength(again)
    policy.replace(inEffect({ minimumUsePolicy: 'notify' }))
  })
})

describe('allowedWebOrigins: the websites behind the browser extension', () => {
  let t: TestAgent
  let local: string
  let extension: string
  const ALLOWED = 'https://his.hospital.example'
  const USER_ONLY = 'https://webmail.example'
  const policy = new PolicyState(inEffect({ allowedWebOrigins: [ALLOWED] }))
  beforeAll(async () => {
    t = await startTestAgent({ identifyPeer, script: { secret: 'sandbox', approve: () => true }, config: { allowedWebOrigins: [USER_ONLY] }, policy: { state: policy } })
    local = localCredential(t)
    const paired = await pair(t, HOST, { name: 'Browser extension', kind: 'browser-extension' })
    extension = (paired.result as { credential: string }).credential
  }, 60_000)
  afterAll(() => t?.agent.close())

  it('a website the policy lists is let in (the user still approves it), though the user’s settings do not list it', async () => {
    const asks = t.prompter.approvals.length
    const answer = await rpc(t, HOST, 'soap.sign', { envelope: makeEnvelope(100) }, extension, { [WEB_ORIGIN_HEADER]: ALLOWED })
    expect(answer.result?.envelope).toContain('wsse:Security')
    expect(t.prompter.approvals.slice(asks)).toEqual([expect.objectContaining({ kind: 'origin', origin: ALLOWED })])
  })

  it('a website outside it is refused (ERR_POLICY_DENIED naming the policy), even one the user’s settings list; nothing is asked', async () => {
    const asks = t.prompter.approvals.length
    const refused = await rpc(t, HOST, 'soap.sign', { envelope: makeEnvelope(100) }, extension, { [WEB_ORIGIN_HEADER]: USER_ONLY })
    expect(refused.status).toBe(403)
    expect(refused.error?.data).toMatchObject({ code: 'ERR_POLICY_DENIED', reason: 'origin-not-in-policy', source: POLICY_FILE, policyField: 'allowedWebOrigins' })
    expect(refused.error?.message).toContain(POLICY_FILE)
    expect(t.prompter.approvals).toHaveLength(asks)
    await t.agent.services.audit.flush()
    const rejected = (await t.agent.services.audit.list({ limit: 50 })).find((r) => r.errorCode === 'origin-not-in-policy')
    expect(rejected).toMatchObject({ origin: USER_ONLY, outcome: 'rejected' })
  })

  it('a policy naming other websites while the agent runs applies to the next request, even for a website the user allowed before', async () => {
    policy.replace(inEffect({ allowedWebOrigins: ['https://lab.hospital.example'] }))
    try {
      const refused = await rpc(t, HOST, 'soap.sign', { envelope: makeEnvelope(100) }, extension, { [WEB_ORIGIN_HEADER]: ALLOWED })
      expect(refused.error?.data).toMatchObject({ code: 'ERR_POLICY_DENIED', reason: 'origin-not-in-policy' })
    } finally {
      policy.replace(inEffect({ allowedWebOrigins: [ALLOWED] }))
    }
    const again = await rpc(t, HOST, 'soap.sign', { envelope: makeEnvelope(100) }, extension, { [WEB_ORIGIN_HEADER]: ALLOWED })
    expect(again.result?.envelope).toContain('wsse:Security')
  })

  it('the setting is locked: settings.set is refused, settings.get shows the policy’s list', async () => {
    const refused = await rpc(t, undefined, 'settings.set', { name: 'allowedWebOrigins', value: 'https://other.example' }, local)
    expect(refused.error?.data).toMatchObject({ code: 'ERR_SETTING_LOCKED', setting: 'allowedWebOrigins', policyField: 'allowedWebOrigins', source: POLICY_FILE })
    const view = (await rpc(t, undefined, 'settings.get', {}, local)).result as { settings: { allowedWebOrigins: string[] }; locked: { setting: string }[] }
    expect(view.settings.allowedWebOrigins).toEqual([ALLOWED])
    expect(view.locked.map((l) => l.setting)).toContain('allowedWebOrigins')
  })
})

describe('auditRetentionMonths: the privacy log’s retention', () => {
  let t: TestAgent
  const DAY = 24 * 3600 * 1000
  const old = rotatedFileName({ seq: 1, oldest: Date.now() - 100 * DAY, newest: Date.now() - 90 * DAY, compressed: false })
  const recent = rotatedFileName({ seq: 2, oldest: Date.now() - 10 * DAY, newest: Date.now() - 9 * DAY, compressed: false })
  beforeAll(async () => {
    t = await startTestAgent({
      script: { secret: 'sandbox' },
      // The user keeps 24 months; the admin 1.
      config: { privacyLog: { retentionMonths: 24, maxDiskMiB: 1024, warnAtPercent: 90 } },
      policy: { state: new PolicyState(inEffect({ auditRetentionMonths: 1 })) },
      prepareStateDir: (stateDir) => {
        const dir = join(stateDir, 'audit')
        mkdirSync(dir, { recursive: true })
        const line = (daysAgo: number) => `${JSON.stringify({ time: new Date(Date.now() - daysAgo * DAY).toISOString(), event: 'soap.sign', outcome: 'ok' })}\n`
        writeFileSync(join(dir, old), line(90))
        writeFileSync(join(dir, recent), line(9))
      },
    })
  }, 60_000)
  afterAll(() => t?.agent.close())

  it('the policy’s months are in force: a file three months old is pruned at start (the user’s 24 would keep it), a recent one kept', async () => {
    const files = readdirSync(join(t.stateDir, 'audit'))
    // Kept files are compressed at start (name + .gz).
    expect(files.filter((f) => f.startsWith(old))).toEqual([])
    expect(files.filter((f) => f.startsWith(recent))).toHaveLength(1)
    const status = (await rpc(t, undefined, 'agent.status', {}, localCredential(t))).result as { privacyLog: { retentionMonths: number } }
    expect(status.privacyLog.retentionMonths).toBe(1)
  })

  it('privacyLog.retentionMonths is locked; settings.get shows the policy’s value and the user’s others', async () => {
    const refused = await rpc(t, undefined, 'settings.set', { name: 'privacyLog.retentionMonths', value: '36' }, localCredential(t))
    expect(refused.error?.data).toMatchObject({ code: 'ERR_SETTING_LOCKED', setting: 'privacyLog.retentionMonths', policyField: 'auditRetentionMonths', source: POLICY_FILE })
    const view = (await rpc(t, undefined, 'settings.get', {}, localCredential(t))).result as { settings: { privacyLog: unknown }; locked: { setting: string }[] }
    expect(view.settings.privacyLog).toEqual({ retentionMonths: 1, maxDiskMiB: 1024, warnAtPercent: 90 })
    expect(view.locked.map((l) => l.setting)).toEqual(['privacyLog.retentionMonths'])
  })
})

describe('proxy: the policy’s proxy is the one eHealth traffic goes through', () => {
  /** A forwarding HTTP proxy on loopback that records what it was asked for (CONNECT and absolute-form). */
  let proxy: Server
  let proxyUrl: string
  const seen: string[] = []
  let t: TestAgent
  let client: AgentClient
  const logs: string[] = []
  let dead: string

  beforeAll(async () => {
    proxy = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url}`)
      const target = new URL(req.url!)
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers)
        answer.pipe(res)
      })
      upstream.on('error', () => res.destroy())
      req.pipe(upstream)
    })
    proxy.on('connect', (req, socket, head) => {
      seen.push(`CONNECT ${req.url}`)
      const [host, port] = req.url!.split(':')
      const upstream = connect(Number(port), host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(socket)
        socket.pipe(upstream)
      })
      upstream.on('error', () => socket.destroy())
      socket.on('error', () => upstream.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`
    // The user's own proxy and a --proxy of an embedder: nothing listens there.
    dead = `http://127.0.0.1:${await freePort()}`
    t = await startTestAgent({
      script: { secret: 'sandbox' },
      config: { proxy: dead, noProxy: '127.0.0.1,localhost' },
      policy: { state: new PolicyState(inEffect({ proxy: proxyUrl })) },
      network: { commandLine: dead, proxyLoopback: true, environment: { HTTPS_PROXY: dead, NO_PROXY: '*' } },
      log: (line) => logs.push(line),
    })
    client = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
  }, 60_000)
  afterAll(async () => {
    await t?.agent.close()
    await new Promise((resolve) => proxy?.close(resolve))
  })

  it('sign-in goes through it, not through the user’s proxy, --proxy or HTTPS_PROXY, and the user’s noProxy does not bypass it', async () => {
    await client.call('session.login', { profile: 'doctor' })
    const port = new URL(t.sandbox.url).port
    expect(seen.filter((s) => s.includes(`127.0.0.1:${port}`)).length).toBeGreaterThan(0)
    expect(logs).toContain(`eHealth traffic goes through the proxy ${proxyUrl} (from the admin policy ${POLICY_FILE})`)
  })

  it('proxy and noProxy are locked; the proxy credentials stay the user’s', async () => {
    for (const name of ['proxy', 'noProxy']) {
      await expect(client.call('settings.set', { name, value: 'http://other:3128' })).rejects.toMatchObject({ code: 'ERR_SETTING_LOCKED', data: { setting: name, source: POLICY_FILE } })
    }
    await expect(client.call('settings.set', { name: 'proxyUsername', value: 'alice' })).resolves.toMatchObject({ changed: true })
  })
})
