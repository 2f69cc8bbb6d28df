import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../agent/config.js'
import { EXTENSION_ID } from '../../protocol/browser-extension/names.js'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import { serveAttackerSite, type AttackerSite } from '../helpers/browser.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { installNativeHost, launchChromiumWithExtension } from '../helpers/extension-browser.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'
import { shoot } from '../helpers/ui-browser.js'

/**
 * The websites behind the browser extension, in headless Chromium (apt-get install -y chromium)
 * with the extension deployed for two web applications, of which the agent's settings allow one:
 * a request from the allowed one is named by its origin on the consent page ("… wants to sign
 * eHealth requests as you"), on the sign-in page and in the privacy log; the other is refused and
 * logged; a website's consent is withdrawn in the admin pages and asked again.
 */

const EXTENSION_NAME = `Browser extension (${EXTENSION_ID})`
const APP_PAGE = `<!doctype html><meta charset="utf-8"><title>practice web app</title>
<script>
window.askExtension = (request) => new Promise((resolve) => {
  if (!globalThis.chrome?.runtime?.sendMessage) return resolve({ unreachable: true })
  chrome.runtime.sendMessage(${JSON.stringify(EXTENSION_ID)}, request, (answer) => resolve(answer ?? { lastError: chrome.runtime.lastError?.message }))
})
</script>`

interface PageAnswer {
  result?: { envelope: string }
  error?: { code: number; message: string; data: Record<string, unknown> }
  unreachable?: boolean
}

const scratch = mkdtempSync(join(tmpdir(), 'bx-origins-'))
let allowed: AttackerSite
let other: AttackerSite
let t: UiTestAgent
let browser: BrowserContext

const ask = (p: Page, id: number): Promise<PageAnswer> =>
  p.evaluate((r) => (window as unknown as { askExtension: (r: unknown) => Promise<PageAnswer> }).askExtension(r), { jsonrpc: '2.0', id, method: 'soap.sign', params: { envelope: makeEnvelope(200) } })

/** The agent's next prompt, opened in a tab of the same browser. */
async function openNextPrompt(): Promise<Page> {
  const link = await t.opened.next(30_000)
  const tab = await browser.newPage()
  expect((await tab.goto(link))?.status()).toBe(200)
  return tab
}

async function appPage(site: AttackerSite): Promise<Page> {
  const page = await browser.newPage()
  await page.goto(`${site.origin}/app`)
  return page
}

beforeAll(async () => {
  allowed = await serveAttackerSite({ '/app': APP_PAGE })
  other = await serveAttackerSite({ '/app': APP_PAGE })
  // What an administrator sets: the one web application the agent may sign for.
  const stateDir = join(scratch, 'state')
  const paths = resolvePaths(stateDir, { platform: 'linux', home: stateDir, uid: process.getuid?.() ?? 0, env: {} })
  mkdirSync(dirname(paths.configFile), { recursive: true, mode: 0o700 })
  writeFileSync(paths.configFile, JSON.stringify({ ...defaultConfig(), allowedWebOrigins: [allowed.origin] }, null, 2))
  t = await startUiTestAgent({ stateDir })
  const userDataDir = join(scratch, 'profile')
  installNativeHost(userDataDir, { stateDir, wrapperDir: join(scratch, 'host') })
  // The extension lets both in (its manifest as deployed); the agent decides per website.
  browser = await launchChromiumWithExtension(userDataDir, [], [allowed.origin, other.origin])
}, 120_000)

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  await allowed?.close()
  await other?.close()
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('a website behind the browser extension', () => {
  it('an allowed origin: the consent page names the website, the sign-in page too, and the log records it', async () => {
    const page = await appPage(allowed)
    const answer = ask(page, 1)

    const pairing = await openNextPrompt()
    const pairingText = await pairing.locator('main').innerText()
    expect(pairingText).toContain(`The application “${EXTENSION_NAME}” asks to use your eHealth session.`)
    expect(pairingText).toContain('This is a browser extension. It will sign only for websites you allow, one by one')
    expect(pairingText).toMatch(new RegExp(`Program\\s+${process.execPath.replace(/[.]/g, '\\.')}, pid \\d+`))
    await pairing.getByRole('button', { name: 'Allow' }).click()

    const consent = await openNextPrompt()
    await expect(consent.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Allow a website')
    const consentText = await consent.locator('main').innerText()
    expect(consentText).toContain(`${allowed.origin} wants to sign eHealth requests as you.`)
    expect(await consent.locator('.origin').innerText()).toBe(allowed.origin)
    await shoot(consent, 'extension-1-website-consent')
    await consent.getByRole('button', { name: 'Allow' }).click()

    const signIn = await openNextPrompt()
    const signInText = await signIn.locator('main').innerText()
    expect(signInText).toMatch(new RegExp(`Website\\s+${allowed.origin.replace(/[.:/]/g, '\\$&')}`))
    await shoot(signIn, 'extension-2-sign-in-for-website')
    await signIn.getByLabel('Keystore password').fill('sandbox')
    await signIn.getByRole('button', { name: 'Sign in' }).click()

    const signed = await answer
    expect(signed.error).toBeUndefined()
    expect(signed.result?.envelope).toContain('wsse:Security')
    await t.agent.services.audit.flush()
    const records = await t.agent.services.audit.list({ limit: 1000 })
    expect(records.find((r) => r.event === 'soap.sign')).toMatchObject({ client: { name: EXTENSION_NAME }, origin: allowed.origin, program: { executable: process.execPath }, outcome: 'ok' })
    expect(records.find((r) => r.event === 'origin.allow')).toMatchObject({ origin: allowed.origin })
    // Allowed once: the next request from that website asks nothing more.
    const before = t.opened.all.length
    expect((await ask(page, 2)).result?.envelope).toContain('wsse:Security')
    expect(t.opened.all).toHaveLength(before)
  })

  it('another origin is refused without asking anyone, and the log records which', async () => {
    const page = await appPage(other)
    const before = t.opened.all.length
    const refused = await ask(page, 3)
    expect(refused.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'origin-not-allowed' })
    expect(t.opened.all).toHaveLength(before)
    await t.agent.services.audit.flush()
    const records = await t.agent.services.audit.list({ limit: 1000 })
    expect(records.find((r) => r.origin === other.origin)).toMatchObject({ event: 'rejected', outcome: 'rejected', errorCode: 'origin-not-allowed', client: { name: EXTENSION_NAME } })
  })

  it('withdrawn in the admin pages, the website is asked again; refused then, it gets ERR_PAIRING_DENIED', async () => {
    const admin = await browser.newPage()
    await admin.goto(t.agent.ui.link({ kind: 'admin', page: 'clients' }))
    expect(await admin.locator('.websites .origin').allInnerTexts()).toEqual([allowed.origin])
    await shoot(admin, 'extension-3-admin-websites')
    await admin.getByRole('button', { name: `Withdraw: ${allowed.origin}` }).click()
    await admin.getByText(`${allowed.origin} was withdrawn`).waitFor()

    const page = await appPage(allowed)
    const answer = ask(page, 4)
    const consent = await openNextPrompt()
    expect(await consent.locator('main').innerText()).toContain(`${allowed.origin} wants to sign eHealth requests as you.`)
    await consent.getByRole('button', { name: 'Deny' }).click()
    expect((await answer).error?.data).toMatchObject({ code: 'ERR_PAIRING_DENIED', reason: 'origin-denied' })
  })
})
