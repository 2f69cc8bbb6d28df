import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { freePort, startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

interface Report {
  checks: { id: string; status: string; detail: string; fix: string }[]
  failed: number
  warnings: number
}

const IDS = ['node', 'policy', 'config', 'sts-trust', 'keystore', 'eid-support', 'pkcs11-module', 'tokens', 'clock', 'proxy', 'endpoints', 'port', 'privacy-log', 'tray', 'memory-trim', 'caller-lookup']

let t: TestAgent
let scratch: string
beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'doctor-e2e-'))
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

function byId(report: Report): Record<string, Report['checks'][number]> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c]))
}

/** Every check has a known status, a detail, and a fix exactly when it is not ok. */
function expectWellFormed(report: Report): void {
  expect(report.checks.map((c) => c.id)).toEqual(IDS)
  for (const c of report.checks) {
    expect(['ok', 'warn', 'fail']).toContain(c.status)
    expect(c.detail.length, c.id).toBeGreaterThan(5)
    if (c.status === 'ok') expect(c.fix, c.id).toBe('')
    else expect(c.fix.length, `${c.id} says how to fix it`).toBeGreaterThan(5)
  }
  expect(report.failed).toBe(report.checks.filter((c) => c.status === 'fail').length)
}

describe('ehagent doctor --json', () => {
  it('names the admin policy in effect and what it fixes; a bad one fails naming the field and the file', async () => {
    const policyFile = join(scratch, 'policy.json')
    const stateDir = join(scratch, 'with-policy')
    mkdirSync(stateDir)
    process.env.EHAGENT_POLICY_FILE = policyFile
    try {
      const none = JSON.parse((await runCliCaptured(['doctor', '--json', '--state-dir', stateDir], { home: scratch })).stdout) as Report
      expect(byId(none).policy).toMatchObject({ status: 'ok', detail: `no admin policy: ${policyFile} does not exist` })
      writeFileSync(policyFile, JSON.stringify({ language: 'nl', allowedPrograms: ['/opt/his/his'] }))
      const some = JSON.parse((await runCliCaptured(['doctor', '--json', '--state-dir', stateDir], { home: scratch })).stdout) as Report
      expect(byId(some).policy).toMatchObject({ status: 'ok', detail: `admin policy in effect: ${policyFile} (it fixes language, allowedPrograms)` })
      writeFileSync(policyFile, JSON.stringify({ language: 'de' }))
      const run = await runCliCaptured(['doctor', '--json', '--state-dir', stateDir], { home: scratch })
      const bad = JSON.parse(run.stdout) as Report
      expect(byId(bad).policy).toMatchObject({ status: 'fail', detail: expect.stringContaining(`${policyFile} is not valid: language`) })
      expect(run.code).toBe(1)
    } finally {
      delete process.env.EHAGENT_POLICY_FILE
    }
  })

  it('against a running agent in the sandbox: every check reported, the agent found, exit 0', async () => {
    // A settings file naming the demo keystore: --json must not ask its password.
    writeFileSync(join(t.stateDir, 'config.json'), JSON.stringify({ environment: 'sandbox', login: { keystore: t.sandbox.state.pki.keystores.doctor.p12Path } }))
    const run = await runCliCaptured(['doctor', '--json', '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })
    const report = JSON.parse(run.stdout) as Report
    expectWellFormed(report)
    const c = byId(report)
    expect(c.node!.status).toBe('ok')
    // The addon npm run build made loads from the CLI's own code.
    expect(c['memory-trim']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/malloc_trim addon loads/) })
    expect(c['caller-lookup']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/sock_diag addon loads/) })
    expect(c.config).toMatchObject({ status: 'ok', detail: expect.stringMatching(/is valid \(environment sandbox/) })
    expect(c.keystore).toMatchObject({ status: 'warn', detail: expect.stringMatching(/password not checked/) })
    expect(c.clock).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^within \d+ s of the local sandbox STS \(agent pid \d+\)/) })
    expect(c.proxy).toMatchObject({ status: 'ok', detail: 'direct (no proxy: neither --proxy, the setting "proxy" nor HTTPS_PROXY is set)' })
    expect(c.endpoints).toMatchObject({ status: 'ok', detail: expect.stringMatching(/served by the sandbox the agent uses/) })
    expect(c.port).toMatchObject({ status: 'ok', detail: `127.0.0.1:${t.port} is held by ehealth-agent test (pid ${process.pid}) (started with --port; the settings say 4752)` })
    expect(c['privacy-log']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^.+audit: .* MiB of 1024 MiB \(0%\) in 1 file; kept 24 months$/) })
    expect(c.tray!.status).toBe('warn') // no display in the made-up machine
    expect(run.code).toBe(report.failed ? 1 : 0)
    expect(report.failed).toBe(0)
    expect(run.stderr).toBe('')
  })

  it('without --port: the agent found through --state-dir is reported on the port it runs on, not the settings’ port as "free"', async () => {
    // The settings say 4752 (the default); the agent runs on the test's port.
    writeFileSync(join(t.stateDir, 'config.json'), JSON.stringify({ environment: 'sandbox' }))
    const run = await runCliCaptured(['doctor', '--json', '--state-dir', t.stateDir], { home: scratch })
    const report = JSON.parse(run.stdout) as Report
    const c = byId(report)
    expect(c.port).toMatchObject({ status: 'ok', detail: `127.0.0.1:${t.port} is held by ehealth-agent test (pid ${process.pid}) (started with --port; the settings say 4752)` })
    expect(c.clock!.detail).toContain(`agent pid ${process.pid}`)
    // One agent, one story: no check calls any port free while the agent runs.
    expect(report.checks.filter((x) => /\bis free\b/.test(x.detail))).toEqual([])
    // --port naming another port: said, not silently checked as another agent's.
    const other = await freePort()
    const wrong = byId(JSON.parse((await runCliCaptured(['doctor', '--json', '--state-dir', t.stateDir, '--port', String(other)], { home: scratch })).stdout) as Report)
    expect(wrong.port).toMatchObject({ status: 'warn', detail: `127.0.0.1:${t.port} is held by ehealth-agent test (pid ${process.pid}), not ${other} as --port says` })
  })

  it('a broken settings file: config fails naming the setting and the file, the rest says "not checked", exit 1', async () => {
    const stateDir = join(scratch, 'broken')
    mkdirSync(stateDir)
    writeFileSync(join(stateDir, 'config.json'), '{ "environment": "prod", "port": "abc" }\n')
    const run = await runCliCaptured(['doctor', '--json', '--state-dir', stateDir], { home: scratch })
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as Report
    expectWellFormed(report)
    const c = byId(report)
    expect(c.config).toMatchObject({ status: 'fail', detail: expect.stringMatching(/port/), fix: expect.stringContaining(join(stateDir, 'config.json')) })
    for (const id of ['sts-trust', 'keystore', 'pkcs11-module', 'tokens', 'clock', 'endpoints', 'port', 'privacy-log']) expect(c[id]).toMatchObject({ status: 'warn', detail: expect.stringMatching(/not checked/) })
  })

  it('in text: one line per check, the fix under each failure (the old name caBundle read as extraCaFile)', async () => {
    const stateDir = join(scratch, 'missing-ca-bundle')
    mkdirSync(stateDir)
    writeFileSync(join(stateDir, 'config.json'), JSON.stringify({ environment: 'sandbox', caBundle: join(stateDir, 'proxy-ca.pem') }))
    const run = await runCliCaptured(['doctor', '--state-dir', stateDir, '--port', String(await freePort())], { home: scratch, machine: { nodeVersion: '18.19.1' } })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^ {2}fail {2}node +Node\.js 18\.19\.1 is too old/m)
    expect(run.stdout).toMatch(/^ {2}fail {2}config +.*names files that do not exist: .*proxy-ca\.pem$/m)
    expect(run.stdout).toMatch(/^ +fix: correct trustedStsCertificates \/ extraCaFile in /m)
    expect(run.stdout).toMatch(/^\d+ ok, \d+ warning\(s\), \d+ failed$/m)
  })

  it('--env acc and --env prod on an empty state directory: the settings need nothing, the CA bundle is listed with each expiry', async () => {
    for (const [env, label, count] of [['acc', 'Acceptance', 6], ['prod', 'Production', 4]] as const) {
      const stateDir = join(scratch, `empty-${env}`)
      const run = await runCliCaptured(['doctor', '--json', '--env', env, '--state-dir', stateDir, '--port', String(await freePort())], { home: scratch })
      const report = JSON.parse(run.stdout) as Report & { checks: { items?: { name: string; status: string; detail: string; sha256: string }[] }[] }
      expectWellFormed(report)
      const c = byId(report) as Record<string, (typeof report.checks)[number]>
      expect(c.config).toMatchObject({ status: 'ok', detail: expect.stringContaining(`environment ${env}`) })
      expect(c['sts-trust']).toMatchObject({ status: 'ok', detail: expect.stringContaining(`${label}: an STS signer is trusted when it chains to one of ${count} bundled CA certificates`) })
      expect(c['sts-trust']!.items).toHaveLength(count)
      for (const item of c['sts-trust']!.items!) expect(item.detail).toMatch(/^(valid until|expired on) \d{4}-\d\d-\d\d/)
      // Text mode lists each CA under the check.
      const text = await runCliCaptured(['doctor', '--env', env, '--state-dir', stateDir, '--port', String(await freePort())], { home: scratch })
      expect(text.stdout).toMatch(/^ +- ZetesConfidens Private Trust PKI - eHealth issuing CA 002 \(zetes-ehealth-issuing-ca-002\.pem\): valid until 2034-11-20$/m)
    }
    const bad = await runCliCaptured(['doctor', '--env', 'staging'], { home: scratch })
    expect(bad.code).toBe(2)
  }, 120_000)

  it('a port held by another program fails, saying how to find it', async () => {
    const port = await freePort()
    // A program that accepts connections and never answers (the doctor asks it /health to tell
    // another agent from anything else).
    const accepted: Socket[] = []
    const squatter: Server = createServer((socket) => void accepted.push(socket))
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()))
    try {
      const run = await runCliCaptured(['doctor', '--json', '--state-dir', join(scratch, 'squatted'), '--port', String(port)], { home: scratch })
      const c = byId(JSON.parse(run.stdout) as Report)
      expect(c.port).toMatchObject({ status: 'fail', detail: `127.0.0.1:${port} is held by another program`, fix: expect.stringContaining(`ss -ltnp 'sport = :${port}'`) })
      expect(run.code).toBe(1)
    } finally {
      for (const socket of accepted) socket.destroy()
      await new Promise((r) => squatter.close(r))
    }
  })
})
