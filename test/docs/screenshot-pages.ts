/**
 * Screenshots of the agent's own pages for the README, in English, Dutch and French:
 * `npm run screenshots` writes test/docs/screenshots/<page>-<language>.png.
 *
 * A real agent against the sandbox (in this process, as the UI tests run it), a paired
 * application and a few signatures so the pages have something to show, and real headless
 * Chromium (Debian's /usr/bin/chromium through playwright-core; nothing is downloaded). The pages
 * are those `ehagent ui` and the tray open; the sign-in page is caught just after a wrong
 * password, asking again.
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { AgentClient } from '../../clients/js/agent-client.js'
import { launchChromium } from '../helpers/browser.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'

const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url))
const LANGUAGES = [
  { id: 'en', button: 'English', locale: 'en-GB', password: 'Keystore password', submit: 'Sign in' },
  { id: 'nl', button: 'Nederlands', locale: 'nl-BE', password: 'Wachtwoord van de keystore', submit: 'Aanmelden' },
  { id: 'fr', button: 'Français', locale: 'fr-BE', password: 'Mot de passe du keystore', submit: 'Se connecter' },
] as const
const ADMIN_PAGES = ['status', 'clients', 'audit', 'settings'] as const
/** Narrow and short enough to stay small as PNG; tall pages are cut at this height. */
const VIEWPORT = { width: 960, height: 620 }

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  const t = await startUiTestAgent({ locale: 'en_BE.UTF-8' })
  const browser = await launchChromium()
  try {
    await prepare(t)
    for (const language of LANGUAGES) {
      await shootSignIn(browser, t, language)
      const page = await newPage(browser, language.locale)
      await page.goto(t.agent.ui.link({ kind: 'admin', page: 'status' }))
      await page.getByRole('button', { name: language.button }).click()
      for (const admin of ADMIN_PAGES) {
        await page.goto(`${t.origin}/ui/admin/${admin}`)
        await save(page, `${admin}-${language.id}`)
      }
      await page.context().close()
    }
  } finally {
    await browser.close()
    await t.agent.close()
  }
}

/** A paired application that signed a few envelopes, and the session it used. */
async function prepare(t: UiTestAgent): Promise<void> {
  const pairing = new AgentClient({ url: t.agent.url }).call('client.pair', { name: 'MediSoft 4.2', scopes: { methods: ['session.status', 'soap.sign'] } })
  await answer(t, { kind: 'approve' })
  const app = new AgentClient({ url: t.agent.url, credential: (await pairing).credential })
  const local = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
  const login = local.call('session.login', { profile: 'doctor' })
  await answer(t, { kind: 'secret', secret: 'sandbox' })
  await login
  for (let i = 0; i < 3; i++) await app.call('soap.sign', { envelope: makeEnvelope(300) })
}

/** The sign-in page in `language`, after a wrong password: it says so and asks again. */
async function shootSignIn(browser: Browser, t: UiTestAgent, language: (typeof LANGUAGES)[number]): Promise<void> {
  const local = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
  await local.call('session.logout')
  const login = local.call('session.login', { profile: 'doctor' })
  const page = await newPage(browser, language.locale)
  await page.goto(await t.opened.next())
  await page.getByRole('button', { name: language.button }).click()
  await page.getByLabel(language.password).fill('not-the-password')
  await page.getByRole('button', { name: language.submit }).click()
  await page.getByRole('alert').waitFor()
  await save(page, `sign-in-${language.id}`)
  await page.getByLabel(language.password).fill('sandbox')
  await page.getByRole('button', { name: language.submit }).click()
  await login
  await page.context().close()
}

/** Answer the next prompt on the desk as the user would on its page. */
async function answer(t: UiTestAgent, given: { kind: 'approve' } | { kind: 'secret'; secret: string }): Promise<void> {
  await t.opened.next()
  const [entry] = t.web.desk.waiting()
  if (!entry || !t.web.desk.answer(entry.id, given)) throw new Error('no prompt to answer')
}

async function newPage(browser: Browser, locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: VIEWPORT, deviceScaleFactor: 1 })
  return context.newPage()
}

async function save(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${OUT}${name}.png` })
  process.stdout.write(`test/docs/screenshots/${name}.png\n`)
}

await main()
