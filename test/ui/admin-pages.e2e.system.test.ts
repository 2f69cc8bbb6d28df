import { readFileSync, realpathSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { loadConfig } from '../../agent/config.js'
import { findPersonById } from '../../agent/sandbox/directory.js'
import { issueSsoToken } from '../../agent/sandbox/idp/issue-sso-token.js'
import { launchChromium, serveAttackerSite, type AttackerSite } from '../helpers/browser.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'
import { BrowserContexts, shoot } from '../helpers/ui-browser.js'

// The admin pages the tray opens, in real headless Chromium against a real agent: reachable only
// through a one-time link, not from another site (no framing, no cross-site form), and doing
// what they say: token status and sign-out, revocation (T8), the privacy log, settings that are
// validated and survive a restart, three languages.

let browser: Browser
let pages: BrowserContexts
let t: UiTestAgent
const sites: AttackerSite[] = []

beforeAll(async () => {
  browser = await launchChromium()
  pages = new BrowserContexts(browser)
  t = await startUiTestAgent()
}, 120_000)

afterAll(async () => {
  await pages?.closeAll()
  await browser?.close()
  for (const site of sites) await site.close()
  await t?.agent.close()
})

async function openAdmin(page: 'status' | 'clients' | 'audit' | 'settings' | 'import', inPage?: Page): Promise<Page> {
  const p = inPage ?? (await pages.page())
  const response = await p.goto(t.agent.ui.link({ kind: 'admin', page }))
  expect(response?.status()).toBe(200)
  expect(p.url()).toBe(`${t.origin}/ui/admin/${page}`)
  return p
}

async function heading(page: Page): Promise<string | null> {
  return page.getByRole('heading', { level: 1 }).textContent()
}

async function refusedRecords(reason: string): Promise<number> {
  const records = await t.agent.services.audit.list({ limit: 1000 })
  return records.filter((r) => r.outcome === 'rejected' && r.errorCode === reason).length
}

describe('access: only through a fresh one-time link, only top-level, only from the page itself', () => {
  it('without a link the pages are refused', async () => {
    const page = await pages.page()
    for (const path of ['/ui/admin/settings', '/ui/admin/status', '/ui/prompt/anything', '/ui/open', '/ui/open?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const response = await page.goto(t.origin + path)
      expect(response?.status(), path).toBe(403)
      expect(await heading(page), path).toBe('This page cannot be opened')
      expect(await page.locator('form').count(), path).toBe(0)
      expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
    }
    await shoot(page, 'access-1-refused-without-link')
  })

  it('a link works once: used again, in this browser or another, it is refused', async () => {
    const link = t.agent.ui.link({ kind: 'admin', page: 'status' })
    const first = await pages.page()
    expect((await first.goto(link))?.status()).toBe(200)
    expect(await heading(first)).toBe('eHealth session')
    const again = await first.goto(link)
    expect(again?.status()).toBe(403)
    const other = await pages.page()
    expect((await other.goto(link))?.status()).toBe(403)
    expect(await heading(other)).toBe('This page cannot be opened')
    // The session of the first browser still works; the other browser has none.
    expect((await first.goto(`${t.origin}/ui/admin/clients`))?.status()).toBe(200)
    expect((await other.goto(`${t.origin}/ui/admin/clients`))?.status()).toBe(403)
  })

  it('a page of another site that frames a page gets nothing rendered (the link is not even spent)', async () => {
    const link = t.agent.ui.link({ kind: 'admin', page: 'settings' })
    const site = await serveAttackerSite({ '/frame': `<!DOCTYPE html><h1>innocent</h1><iframe id="f" src="${link}" width="800" height="400"></iframe>` })
    sites.push(site)
    const before = await refusedRecords('cross-site-request')
    const page = await pages.page()
    await page.goto(`${site.origin}/frame`)
    await page.waitForTimeout(500)
    const frame = page.frames().find((f) => f !== page.mainFrame())
    const text = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : ''
    expect(text).not.toContain('Settings')
    expect(text).not.toContain('Save')
    await shoot(page, 'access-2-framed-by-another-site')
    expect(await refusedRecords('cross-site-request')).toBeGreaterThan(before)
    // Refused before the link was looked at: it still opens, top-level.
    const top = await pages.page()
    expect((await top.goto(link))?.status()).toBe(200)
  })

  it("even the page's real response, delivered into a frame of another site, is not rendered: CSP frame-ancestors 'none'", async () => {
    // A browser that sent no Sec-Fetch headers would get the page itself. Deliver it, headers
    // and all, into a foreign frame and let the browser decide.
    const start = await fetch(t.agent.ui.link({ kind: 'admin', page: 'status' }), { redirect: 'manual' })
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!
    const real = await fetch(`${t.origin}/ui/admin/status`, { headers: { cookie } })
    expect(real.status).toBe(200)
    const body = await real.text()
    expect(body).toContain('eHealth session')
    const headers: Record<string, string> = {}
    real.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'date'].includes(name)) headers[name] = value
    })
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(headers['x-frame-options']).toBe('DENY')
    const site = await serveAttackerSite({ '/frame': `<!DOCTYPE html><h1>innocent</h1><iframe src="${t.origin}/ui/admin/status" width="800" height="400"></iframe>` })
    sites.push(site)

    /** The text the frame shows once the page (frames included) has loaded. */
    async function frameText(withHeaders: Record<string, string>): Promise<string> {
      const page = await pages.page()
      await page.route(`${t.origin}/ui/admin/status`, (route) => route.fulfill({ status: 200, headers: withHeaders, body }))
      await page.goto(`${site.origin}/frame`, { waitUntil: 'load' })
      const read = async () => {
        const frame = page.frames().find((f) => f !== page.mainFrame())
        return frame ? frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : ''
      }
      // A rendered frame may still be painting its text; give it a moment before concluding.
      for (let i = 0; i < 20; i++) {
        const text = await read()
        if (text.includes('eHealth session')) return text
        await page.waitForTimeout(100)
      }
      return read()
    }

    // Control: the same body without our two anti-framing headers does render in the frame...
    const { 'content-security-policy': _csp, 'x-frame-options': _xfo, ...bare } = headers
    expect(await frameText(bare)).toContain('eHealth session')
    // ...and with only the CSP (X-Frame-Options removed), it does not.
    const { 'x-frame-options': _x, ...cspOnly } = headers
    expect(await frameText(cspOnly)).not.toContain('eHealth session')
  })

  it('a form on another site cannot post to the pages, even in a browser with a session', async () => {
    const settingsBefore = readFileSync(t.paths.configFile, 'utf8')
    const page = await openAdmin('settings')
    const site = await serveAttackerSite({
      '/csrf': `<!DOCTYPE html><form method="post" action="${t.origin}/ui/admin/settings"><input name="csrf" value="guess"><input name="language" value="fr"><input name="port" value="4999"></form><script>document.forms[0].submit()</script>`,
    })
    sites.push(site)
    const before = await refusedRecords('cross-site-request')
    const response = page.waitForResponse((r) => r.url() === `${t.origin}/ui/admin/settings` && r.request().method() === 'POST')
    await page.goto(`${site.origin}/csrf`)
    expect((await response).status()).toBe(403)
    expect(readFileSync(t.paths.configFile, 'utf8')).toBe(settingsBefore)
    expect(await refusedRecords('cross-site-request')).toBeGreaterThan(before)
  })

  it('an unknown page is a 404 page; a script in a page could not even reach the API (CSP)', async () => {
    const page = await openAdmin('status')
    expect((await page.goto(`${t.origin}/ui/admin/nothing-here`))?.status()).toBe(404)
    expect(await heading(page)).toBe('This page does not exist.')
    const before = await refusedRecords('origin-not-allowed')
    const api = await page.evaluate(async (origin) => {
      try {
        const r = await fetch(`${origin}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","method":"agent.status","id":1}' })
        return String(r.status)
      } catch {
        return 'failed'
      }
    }, t.origin)
    // The pages run no script of ours, and CSP default-src 'none' (connect-src included) stops
    // any injected one before the network: the API never saw the request. (Had it, its guards
    // refuse every web origin, ours included: T1.)
    expect(api).toBe('failed')
    expect(await refusedRecords('origin-not-allowed')).toBe(before)
  })
})

describe('session status', () => {
  it('shows who is signed in, the profile and when the token expires; Sign out ends it', async () => {
    const cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    const login = cli.call('session.login', { profile: 'doctor' })
    const prompt = await pages.page()
    await prompt.goto(await t.opened.next())
    await prompt.getByLabel('Keystore password').fill('sandbox')
    await prompt.getByRole('button', { name: 'Sign in' }).click()
    const status = await login
    const page = await openAdmin('status')
    const text = await page.locator('main').innerText()
    expect(text).toMatch(/Profile\s+Doctor/)
    expect(text).toMatch(/Environment\s+Sandbox \(simulated eHealth\)/)
    // A 24-hour token: it ends tomorrow, said with the day and the distance; renewal is today or tomorrow.
    expect(text).toMatch(/Expires\s+tomorrow \d\d:\d\d \(in 24 h\)/)
    expect(text).toMatch(/Renewal planned\s+(tomorrow )?\d\d:\d\d \(in 1[5-7] h\)/)
    expect(text).toMatch(/Obtained from\s+the eHealth STS/)
    const expiry = new Date(status.token!.notOnOrAfter)
    expect(await page.locator('#expiry').innerText()).toContain(`${String(expiry.getUTCHours()).padStart(2, '0')}:${String(expiry.getUTCMinutes()).padStart(2, '0')}`)
    await shoot(page, 'admin-1-status-signed-in')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('status').filter({ hasText: 'You are signed out of eHealth.' }).waitFor()
    expect(t.agent.services.session.current()).toBeUndefined()
    expect(await page.locator('main').innerText()).toContain('You are not signed in to eHealth.')
  })
})

describe('paired applications', () => {
  it('revoke: the application is listed, then revoked, and its next call is refused with 401', async () => {
    // Paired for this test's own program: the credential is bound to the executable it pairs from.
    const executable = realpathSync(process.execPath)
    const { credential } = await t.agent.services.clients.add('PharmaSoft 7', { methods: ['session.status'], services: ['*'] }, { pid: 4242, executable })
    const pharma = new AgentClient({ url: t.agent.url, credential })
    await expect(pharma.call('session.status')).resolves.toMatchObject({ environment: 'Sandbox (simulated eHealth)' })
    const page = await openAdmin('clients')
    const row = page.getByRole('row').filter({ hasText: 'PharmaSoft 7' })
    expect(await row.innerText()).toContain(executable)
    expect(await row.innerText()).toContain('pid 4242')
    expect(await row.innerText()).toContain('session.status')
    await shoot(page, 'admin-2-paired-applications')
    await row.getByRole('button', { name: 'Revoke: PharmaSoft 7' }).click()
    await page.getByRole('status').filter({ hasText: 'The access of “PharmaSoft 7” was revoked' }).waitFor()
    expect(await page.getByRole('row').filter({ hasText: 'PharmaSoft 7' }).count()).toBe(0)
    await shoot(page, 'admin-3-revoked')
    const refused = await fetch(`${t.agent.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'session.status', id: 1 }),
    })
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ error: { data: { code: 'ERR_UNAUTHORIZED' } } })
  })
})

describe('privacy log', () => {
  it('filters by method and by outcome', async () => {
    const page = await openAdmin('audit')
    await page.getByLabel('Method').fill('client.revoke')
    await page.getByRole('button', { name: 'Show' }).click()
    expect(page.url()).toContain('method=client.revoke')
    const rows = page.locator('tbody tr')
    expect(await rows.count()).toBe(1)
    expect(await rows.first().innerText()).toContain('client.revoke')
    await page.getByLabel('Method').fill('')
    await page.getByLabel('Outcome').selectOption('rejected')
    await page.getByRole('button', { name: 'Show' }).click()
    const outcomes = await page.locator('tbody tr td:nth-child(6)').allInnerTexts()
    expect(outcomes.length).toBeGreaterThan(0)
    expect(new Set(outcomes)).toEqual(new Set(['refused']))
    expect(await page.locator('tbody').innerText()).toContain('cross-site-request')
    await shoot(page, 'admin-4-privacy-log-refusals')
  })
})

describe('SSO token import (the IDP\'s fat-client download)', () => {
  it('takes a downloaded .ehtoken file; the keystore it is bound to is unlocked on the sign-in page', async () => {
    const doctor = findPersonById('doctor')
    const issued = issueSsoToken(t.sandbox.state, doctor, { profile: 'doctor', label: 'Doctor', identity: { ssin: doctor.ssin } })
    if (issued.kind !== 'issued') throw new Error(issued.kind)
    const page = await openAdmin('import')
    expect(await page.getByRole('link', { name: 'Open the eHealth SSO page' }).getAttribute('href')).toBe(t.agent.services.environment.idpSso)
    await page.getByLabel('Session token file').setInputFiles({ name: issued.result.fileName, mimeType: 'application/octet-stream', buffer: Buffer.from(issued.result.fileText) })
    await shoot(page, 'admin-9-import-token')
    const submitted = page.getByRole('button', { name: 'Import' }).click()
    // The token is bound to the keystore: the user unlocks it on the sign-in page, in another tab.
    const prompt = await pages.page()
    await prompt.goto(await t.opened.next())
    expect(await prompt.locator('main').innerText()).toContain('“eHealth agent (settings pages)” asks to sign in to eHealth')
    await prompt.getByLabel('Keystore password').fill('sandbox')
    await prompt.getByRole('button', { name: 'Sign in' }).click()
    await submitted
    await page.getByRole('status').filter({ hasText: /^Token imported: signed in as Doctor until (tomorrow )?\d\d:\d\d \(in \d+ (min|h)\)\.$/ }).waitFor()
    expect(page.url()).toBe(`${t.origin}/ui/admin/status`)
    expect(await page.locator('main').innerText()).toMatch(/Obtained from\s+an SSO token from the eHealth IDP/)
    expect(t.agent.services.session.current()?.assertion.assertionId).toBe(issued.result.assertionId)
    await shoot(page, 'admin-10-imported')
    await t.agent.services.session.logout('user')
  })

  it('a file that is not a token: the page says why, nothing changes', async () => {
    const page = await openAdmin('import')
    await page.getByLabel('Session token file').setInputFiles({ name: 'notes.ehtoken', mimeType: 'text/plain', buffer: Buffer.from('not a token') })
    await page.getByRole('button', { name: 'Import' }).click()
    const text = await page.getByRole('status').innerText()
    expect(text).toMatch(/^The token was not imported: .+\(ERR_[A-Z_]+\)$/)
    expect(t.agent.services.session.current()).toBeUndefined()
  })
})

describe('language', () => {
  it('switches on the page and stays switched in that browser', async () => {
    const page = await openAdmin('clients')
    await page.getByRole('button', { name: 'Français' }).click()
    expect(await heading(page)).toBe('Applications associées')
    await page.goto(`${t.origin}/ui/admin/status`)
    expect(await heading(page)).toBe('Session eHealth')
    await page.getByRole('button', { name: 'Nederlands' }).click()
    expect(await heading(page)).toBe('eHealth-sessie')
    await shoot(page, 'admin-5-dutch')
    await page.getByRole('button', { name: 'English' }).click()
    expect(await heading(page)).toBe('eHealth session')
  })
})

describe('settings', () => {
  it('shows the port and environment in effect: the agent runs on its --port, the file says 4752', async () => {
    const page = await openAdmin('settings')
    expect(await page.getByLabel(/^Port/).inputValue()).toBe('4752')
    expect(await page.locator('#f-port-in-effect').innerText()).toBe(`The running agent uses: ${t.port}`)
    expect(await page.locator('#f-environment-in-effect').innerText()).toBe('The running agent uses: Sandbox (simulated eHealth)')
  })

  it('a value the settings schema refuses is not saved, and the field says why', async () => {
    const before = readFileSync(t.paths.configFile, 'utf8')
    const page = await openAdmin('settings')
    await page.getByLabel(/^Port/).fill('80')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor()
    expect(await page.locator('#f-port-error').innerText()).toMatch(/1024/)
    expect(await page.getByLabel(/^Port/).inputValue()).toBe('80')
    await shoot(page, 'admin-6-settings-invalid')
    expect(readFileSync(t.paths.configFile, 'utf8')).toBe(before)
  })

  it('a change is saved atomically, says which settings need a restart, and survives one', async () => {
    const page = await openAdmin('settings')
    expect(await page.getByLabel(/^Session lifetime/).inputValue()).toBe('1440')
    await page.getByLabel(/^Session lifetime/).fill('90')
    await page.getByLabel(/^Language/).selectOption('nl')
    await page.getByRole('button', { name: 'Save' }).click()
    // The language applies at once (the page is Dutch now); the lifetime after a restart.
    const flash = await page.getByRole('status').innerText()
    expect(flash).toBe('Opgeslagen. Herstart de agent opdat deze wijzigingen gelden: Levensduur van de sessie (minuten).')
    await shoot(page, 'admin-7-settings-saved')
    const saved = await loadConfig(t.paths.configFile)
    expect(saved).toMatchObject({ tokenLifetimeMinutes: 90, language: 'nl' })

    await t.agent.close()
    t = await startUiTestAgent({ stateDir: t.stateDir, port: t.port })
    const after = await openAdmin('settings')
    expect(await heading(after)).toBe('Instellingen')
    expect(await after.getByLabel(/^Levensduur van de sessie/).inputValue()).toBe('90')
    await shoot(after, 'admin-8-settings-after-restart')
  })
})
