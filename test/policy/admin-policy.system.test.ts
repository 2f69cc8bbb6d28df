import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PolicyState } from '../../agent/policy/policy-state.js'
import { bundledProgramPath } from '../../installer/bundle-layout.js'
import { readPolicy } from '../../agent/policy/read-policy.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { launchChromium } from '../helpers/browser.js'
import { freePort } from '../helpers/start-test-agent.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'
import { BrowserContexts } from '../helpers/ui-browser.js'

// The admin policy end to end: a real agent started with a policy file, changed over the API,
// by the real `ehagent` program (bin/ehagent.js, the built dist/bundle/) and on the settings page in
// headless Chromium; the file changed while the agent runs; and the daemon as a real process
// refusing to start on a malformed policy.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const BIN = join(ROOT, 'bin', 'ehagent.js')
const EXTENSION = 'abcdefghijklmnopabcdefghijklmnop'

let scratch: string
let policyFile: string
let t: UiTestAgent
let browser: Browser
let pages: BrowserContexts

function writePolicy(policy: unknown): void {
  writeFileSync(policyFile, typeof policy === 'string' ? policy : JSON.stringify(policy))
}

/** `node bin/ehagent.js ARGS` with EHAGENT_POLICY_FILE set; its exit code and output. */
function runBin(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(join(ROOT, ...bundledProgramPath('ehagent')))) throw new Error('dist/bundle/ is missing: run `npm run build` first (bin/ehagent.js runs the bundled code)')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: scratch, env: { PATH: process.env.PATH ?? '', HOME: scratch, EHAGENT_POLICY_FILE: policyFile, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`ehagent ${args.join(' ')} did not end in ${timeoutMs} ms; stderr: ${stderr}`))
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const initialPolicy = { environment: 'sandbox', allowedServiceEndpoints: ['https://allowed.example/'], language: 'en', allowedExtensionOrigins: [`chrome-extension://${EXTENSION}`] }

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'policy-e2e-'))
  policyFile = join(scratch, 'policy.json')
  writePolicy(initialPolicy)
  const location = { kind: 'file', path: policyFile } as const
  t = await startUiTestAgent({ policy: { state: new PolicyState(await readPolicy(location)), reread: () => readPolicy(location), pollMs: 100 } })
  browser = await launchChromium()
  pages = new BrowserContexts(browser)
}, 120_000)

afterAll(async () => {
  await pages?.closeAll()
  await browser?.close()
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('a setting the policy fixes cannot be changed', () => {
  it('over the API: settings.set is refused with ERR_SETTING_LOCKED naming the setting and the policy file; others still change', async () => {
    const client = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    const before = readFileSync(t.paths.configFile, 'utf8')
    const err = await client.call('settings.set', { name: 'serviceAllowlist', value: 'https://other.example/' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_SETTING_LOCKED', data: { setting: 'serviceAllowlist', source: policyFile, policyField: 'allowedServiceEndpoints' } })
    expect((err as Error).message).toContain(policyFile)
    expect(readFileSync(t.paths.configFile, 'utf8')).toBe(before)
    await expect(client.call('settings.set', { name: 'tokenLifetimeMinutes', value: '120' })).resolves.toEqual({ name: 'tokenLifetimeMinutes', changed: true, restart: true })
    const view = await client.call('settings.get')
    expect(view.policy).toEqual({ source: policyFile, present: true })
    expect(view.locked.map((l) => l.setting).sort()).toEqual(['allowedExtensionIds', 'environment', 'language', 'serviceAllowlist'])
    expect(view.settings).toMatchObject({ serviceAllowlist: ['https://allowed.example/'], tokenLifetimeMinutes: 120 })
    const records = await t.agent.services.audit.list({ limit: 50 })
    expect(records.some((r) => r.event === 'settings.set' && r.outcome === 'rejected' && r.errorCode === 'ERR_SETTING_LOCKED')).toBe(true)
  })

  it('by the ehagent program: exit 8, ERR_SETTING_LOCKED with the setting and the policy file; `settings` marks it locked', async () => {
    const common = ['--state-dir', t.stateDir, '--port', String(t.port)]
    const refused = await runBin(['settings', 'set', 'language', 'fr', ...common])
    expect(refused.code).toBe(8)
    expect(refused.stderr).toContain('[ERR_SETTING_LOCKED]')
    expect(refused.stderr).toContain(`the setting "language" is set by your administrator's policy ${policyFile}`)
    const listed = await runBin(['settings', ...common])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(`language = "en"  (locked: set by your administrator's policy ${policyFile})`)
    expect(listed.stdout).toMatch(/^port = \d+$/m)
    expect(listed.stdout).toContain(`admin policy: ${policyFile}`)
  })

  it('on the settings page: the field is read-only with the reason, and a forced submit is refused', async () => {
    const page = await pages.page()
    expect((await page.goto(t.agent.ui.link({ kind: 'admin', page: 'settings' })))?.status()).toBe(200)
    const allowlist = page.locator('#f-serviceAllowlist')
    expect(await allowlist.getAttribute('readonly')).not.toBeNull()
    expect(await allowlist.inputValue()).toBe('https://allowed.example/')
    expect(await page.locator('#f-serviceAllowlist-lock').innerText()).toBe(`Set by your administrator's policy ${policyFile}.`)
    expect(await page.locator('#f-environment').isDisabled()).toBe(true)
    // The user cannot type into it …
    await allowlist.fill('https://mine.example/', { force: true, timeout: 2000 }).catch(() => undefined)
    expect(await allowlist.inputValue()).toBe('https://allowed.example/')
    // … and a page whose read-only mark was removed and whose value was changed is refused.
    const before = readFileSync(t.paths.configFile, 'utf8')
    await allowlist.evaluate((el) => {
      el.removeAttribute('readonly')
      ;(el as HTMLTextAreaElement).value = 'https://mine.example/'
    })
    const response = page.waitForResponse((r) => r.url() === `${t.origin}/ui/admin/settings` && r.request().method() === 'POST')
    await page.getByRole('button', { name: 'Save' }).click()
    expect((await response).status()).toBe(403)
    expect(await page.getByRole('alert').first().innerText()).toContain("Not saved: set by your administrator's policy")
    expect(readFileSync(t.paths.configFile, 'utf8')).toBe(before)
    // A field the policy leaves free is still saved from the same page (the locked ones sent back unchanged).
    await page.getByLabel(/^Session lifetime/).fill('240')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('status').waitFor()
    expect(JSON.parse(readFileSync(t.paths.configFile, 'utf8'))).toMatchObject({ tokenLifetimeMinutes: 240 })
    expect(JSON.parse(readFileSync(t.paths.configFile, 'utf8')).serviceAllowlist).toEqual([])
  })
})

describe('what the policy allows is enforced where the decision is made', () => {
  it('soap.call to an endpoint the policy does not list: ERR_POLICY_DENIED, before anything is signed', async () => {
    const client = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    const endpoint = Object.values(t.agent.services.environment.services)[0]!
    const err = await client.call('soap.call', { endpoint, envelope: '<x/>' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_POLICY_DENIED', data: { source: policyFile, policyField: 'allowedServiceEndpoints' } })
  })

  it('a browser-extension origin the policy does not list is refused, the listed one let in', async () => {
    const call = (origin: string) =>
      fetch(`${t.agent.url}/rpc`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${t.agent.credential}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'agent.status' }),
      })
    const listed = await call(`chrome-extension://${EXTENSION}`)
    expect(listed.status).toBe(200)
    const other = await call('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba')
    expect(other.status).toBe(403)
    expect(((await other.json()) as { error: { data: { code: string } } }).error.data.code).toBe('ERR_POLICY_DENIED')
  })
})

describe('the policy file changed while the agent runs', () => {
  it('a valid change applies at once; a malformed one is logged and the last valid one stays', async () => {
    const client = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    const endpoint = Object.values(t.agent.services.environment.services)[0]!
    writePolicy({ ...initialPolicy, allowedServiceEndpoints: [endpoint], allowedPrograms: ['/opt/his/bin/his'] })
    await until('the new policy', () => t.agent.services.policy.policy.allowedPrograms !== undefined)
    // The endpoint is allowed now: the call goes on to signing (no session: not the policy's refusal).
    const after = await client.call('soap.call', { endpoint, envelope: '<x/>' }).catch((e: unknown) => e)
    expect((after as { code?: string }).code).not.toBe('ERR_POLICY_DENIED')
    // Pairing is limited to the listed program: this test's node is not it.
    const pairing = await new AgentClient({ url: t.agent.url }).call('client.pair', { name: 'Some HIS' }).catch((e: unknown) => e)
    expect(pairing).toMatchObject({ code: 'ERR_POLICY_DENIED', data: { policyField: 'allowedPrograms', source: policyFile } })

    writePolicy('{"allowedPrograms": ["relative/his"]')
    await until('the log line', () => t.logs.some((l) => l.includes('last valid policy stays in force')))
    expect(t.logs.find((l) => l.includes('last valid policy stays'))).toContain(policyFile)
    expect(t.agent.services.policy.policy.allowedPrograms).toEqual(['/opt/his/bin/his'])
    writePolicy({ ...initialPolicy, allowedPrograms: ['relative/his'] })
    await until('the second log line', () => t.logs.filter((l) => l.includes('last valid policy stays')).length === 2)
    expect(t.logs.at(-1)).toContain('allowedPrograms.0')
    expect(t.agent.services.policy.policy.allowedServiceEndpoints).toEqual([endpoint])
  })
})

describe('a malformed policy stops the agent at start', () => {
  it('the real daemon exits 8 naming the field and the file, and listens on nothing', async () => {
    writePolicy({ environment: 'sandbox', minimumUsePolicy: 'sometimes' })
    const port = await freePort()
    const stateDir = mkdtempSync(join(scratch, 'state-'))
    const run = await runBin(['start', '--env', 'sandbox', '--port', String(port), '--state-dir', stateDir])
    expect(run.code).toBe(8)
    expect(run.stderr).toContain(`the admin policy ${policyFile} is not valid: minimumUsePolicy`)
    expect(run.stderr).toContain('[ERR_POLICY_INVALID]')
    expect(existsSync(join(stateDir, 'config.json'))).toBe(false)
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
  })

  it('a policy that is not JSON, or names an unknown field, likewise', async () => {
    writePolicy('{"environment": "prod",}')
    const notJson = await runBin(['start', '--env', 'sandbox', '--port', String(await freePort()), '--state-dir', mkdtempSync(join(scratch, 'state-'))])
    expect(notJson.code).toBe(8)
    expect(notJson.stderr).toContain(`the admin policy ${policyFile} is not valid: it is not valid JSON`)
    writePolicy({ enviroment: 'prod' })
    const unknown = await runBin(['start', '--env', 'sandbox', '--port', String(await freePort()), '--state-dir', mkdtempSync(join(scratch, 'state-'))])
    expect(unknown.code).toBe(8)
    expect(unknown.stderr).toMatch(/is not valid: enviroment: /)
  })

  it('--env naming another environment than the policy fixes is refused (ERR_SETTING_LOCKED)', async () => {
    writePolicy({ environment: 'acc' })
    const run = await runBin(['start', '--env', 'sandbox', '--port', String(await freePort()), '--state-dir', mkdtempSync(join(scratch, 'state-'))])
    expect(run.code).toBe(8)
    expect(run.stderr).toContain(`--env sandbox: the setting "environment" is set by your administrator's policy ${policyFile}`)
  })
})
