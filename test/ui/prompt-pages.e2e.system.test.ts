import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { launchChromium } from '../helpers/browser.js'
import { PinKeySource } from '../helpers/pin-key-source.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'
import { BrowserContexts, shoot } from '../helpers/ui-browser.js'

// The web prompter against a real agent, in real headless Chromium: the links the agent would
// open in the default browser are opened here instead. Threats T4 (the pairing page names the
// application), T10 (the PIN is typed only in the agent's own page, which names the caller) and
// T11 (a wrong PIN is never retried; tries left are shown; concurrent logins share one prompt).

let browser: Browser
let pages: BrowserContexts
let t: UiTestAgent
let app: AgentClient

beforeAll(async () => {
  browser = await launchChromium()
  pages = new BrowserContexts(browser)
  t = await startUiTestAgent()
}, 120_000)

afterAll(async () => {
  await pages?.closeAll()
  await browser?.close()
  await t?.agent.close()
})

/** A call whose failure the test expects later: handled now, so Node does not report it meanwhile. */
function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/** Open the link the agent asked to open next, in a browser that never saw the pages. */
async function openNextPrompt(): Promise<Page> {
  const link = await t.opened.next()
  expect(link).toMatch(new RegExp(`^${t.origin}/ui/open\\?t=[A-Za-z0-9_-]{43}$`))
  const page = await pages.page()
  const response = await page.goto(link)
  expect(response?.status()).toBe(200)
  // The one-time token is out of the address bar once the session cookie is set.
  expect(page.url()).toMatch(new RegExp(`^${t.origin}/ui/prompt/[A-Za-z0-9_-]+$`))
  return page
}

describe('pairing prompt', () => {
  it('names the application and what it may do; Allow gives the application its credential', async () => {
    const pairing = later(new AgentClient({ url: t.agent.url }).call('client.pair', { name: 'MediSoft 4.2', scopes: { methods: ['session.login', 'soap.sign', 'session.logout'] } }))
    const page = await openNextPrompt()
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Allow an application')
    const text = await page.locator('main').innerText()
    expect(text).toContain('The application “MediSoft 4.2” asks to use your eHealth session.')
    expect(text).toContain('have messages to eHealth signed with your session')
    expect(text).toContain('ask you to sign in')
    expect(text).not.toContain('call eHealth services')
    await shoot(page, 'pairing-1-prompt')
    await page.getByRole('button', { name: 'Allow' }).click()
    await expect(page.getByRole('status').textContent()).resolves.toContain('Allowed.')
    await shoot(page, 'pairing-2-allowed')
    const paired = await pairing
    expect(paired.credential).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    app = new AgentClient({ url: t.agent.url, credential: paired.credential })
  })

  it('Deny: the application gets ERR_PAIRING_DENIED and no credential', async () => {
    const pairing = later(new AgentClient({ url: t.agent.url }).call('client.pair', { name: 'Unknown Tool' }))
    const page = await openNextPrompt()
    await page.getByRole('button', { name: 'Deny' }).click()
    await expect(page.getByRole('status').textContent()).resolves.toContain('Denied.')
    await shoot(page, 'pairing-3-denied')
    await expect(pairing).rejects.toMatchObject({ code: 'ERR_PAIRING_DENIED' })
    expect(t.agent.services.clients.list().map((c) => c.name)).toEqual(['MediSoft 4.2'])
  })
})

describe('sign-in prompt (keystore password)', () => {
  it('names the application, profile, environment and key; the right password signs in', async () => {
    const login = later(app.call('session.login', { profile: 'doctor' }))
    const page = await openNextPrompt()
    const text = await page.locator('main').innerText()
    expect(text).toContain('“MediSoft 4.2” asks to sign in to eHealth with your identity.')
    expect(text).toMatch(/Profile\s+Doctor/)
    expect(text).toMatch(/Environment\s+Sandbox \(simulated eHealth\)/)
    expect(text).toMatch(/Key\s+eHealth keystore .*\.p12/)
    const field = page.getByLabel('Keystore password')
    await expect(field.getAttribute('type')).resolves.toBe('password')
    await shoot(page, 'sign-in-1-password-prompt')
    await field.fill('sandbox')
    await page.getByRole('button', { name: 'Sign in' }).click()
    // A 24-hour token ends tomorrow: the page says the day and how far off it is.
    await page.getByText(/Signed in as Doctor until tomorrow \d\d:\d\d \(in 24 h\)\./).waitFor()
    await shoot(page, 'sign-in-2-signed-in')
    const status = await login
    expect(status).toMatchObject({ state: 'signed-in', token: { profile: { id: 'doctor' } } })
    // The password went to the key source only: not into a URL, not into the privacy log.
    await t.agent.services.audit.flush()
    expect(JSON.stringify(await t.agent.services.audit.list({ limit: 1000 }))).not.toContain('sandbox"')
    await app.call('session.logout')
  })

  it('a wrong password: the same page says so and asks again; nothing is retried by itself; Cancel ends it', async () => {
    const login = later(app.call('session.login', { profile: 'doctor' }))
    const page = await openNextPrompt()
    const url = page.url()
    await page.getByLabel('Keystore password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'The password is incorrect. Type it again, or cancel. Nothing is tried without you.' }).waitFor()
    await shoot(page, 'sign-in-3-wrong-password')
    // The same page, with the field again; no new window; the caller still waits.
    expect(page.url()).toBe(url)
    await expect(page.getByLabel('Keystore password').inputValue()).resolves.toBe('')
    expect(t.opened.pending()).toBe(0)
    const settled = await Promise.race([login.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('waiting'), 300))])
    expect(settled).toBe('waiting')
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByText('Cancelled. The application was told').waitFor()
    await expect(login).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(t.opened.pending()).toBe(0)
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it('Cancel: the caller gets ERR_USER_CANCELLED', async () => {
    const login = later(app.call('session.login', { profile: 'doctor' }))
    const page = await openNextPrompt()
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByText('Cancelled. The application was told').waitFor()
    await shoot(page, 'sign-in-4-cancelled')
    await expect(login).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
  })

  it('ten concurrent sign-ins share one prompt page (T11)', async () => {
    const before = t.opened.all.length
    const logins = Array.from({ length: 10 }, () => app.call('session.login', { profile: 'doctor' }))
    const page = await openNextPrompt()
    await page.getByLabel('Keystore password').fill('sandbox')
    await page.getByRole('button', { name: 'Sign in' }).click()
    const results = await Promise.all(logins)
    expect(results.every((r) => r.state === 'signed-in')).toBe(true)
    expect(t.opened.pending()).toBe(0)
    expect(t.opened.all).toHaveLength(before + 1)
    await app.call('session.logout')
  })

  it('a page of a prompt that is over says so and takes no answer', async () => {
    const login = later(app.call('session.login', { profile: 'doctor' }))
    const page = await openNextPrompt()
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByText('Cancelled. The application was told').waitFor()
    await expect(login).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    await page.reload()
    expect(await page.locator('input[type=password]').count()).toBe(0)
    expect(await page.locator('main').innerText()).toContain('Cancelled.')
  })
})

describe('sign-in prompt (eID PIN, simulated card)', () => {
  let pin: UiTestAgent
  let pinApp: AgentClient
  let pinKey: PinKeySource

  beforeAll(async () => {
    const doctor = (await sharedSandboxPki()).keystores.doctor
    pinKey = new PinKeySource(doctor.privateKey, doctor.certificatePem, { pin: '1234', tries: 3, label: 'eID card of the test doctor' })
    pin = await startUiTestAgent({
      keySources: {
        keystore: pinKey,
        eid: new PinKeySource(doctor.privateKey, doctor.certificatePem, { pin: '1234', pinpad: true, label: 'eID card in a pinpad reader' }),
      },
    })
    pinApp = new AgentClient({ url: pin.agent.url, credential: pin.agent.credential })
  }, 120_000)

  afterAll(async () => {
    await pin?.agent.close()
  })

  async function openPin(): Promise<Page> {
    const link = await pin.opened.next()
    const page = await pages.page()
    await page.goto(link)
    return page
  }

  it('wrong PINs: the same page says so with the tries left and asks again, each try the user’s; the right PIN signs in — one sign-in', async () => {
    const login = later(pinApp.call('session.login', { profile: 'doctor' }))
    const page = await openPin()
    const field = page.getByLabel('eID PIN')
    await expect(field.getAttribute('inputmode')).resolves.toBe('numeric')
    expect(await page.getByRole('alert').count()).toBe(0)
    await field.fill('0000')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'The PIN is incorrect. Few tries left before the card locks. Type it again, or cancel.' }).waitFor()
    await shoot(page, 'pin-1-wrong-pin')
    await page.getByLabel('eID PIN').fill('9999')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'The PIN is incorrect. One try left before the card locks.' }).waitFor()
    await shoot(page, 'pin-2-last-try')
    await page.getByLabel('eID PIN').fill('1234')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText(/Signed in as Doctor until/).waitFor()
    await expect(login).resolves.toMatchObject({ state: 'signed-in' })
    // One page for the whole sign-in, and exactly the three tries the user typed.
    expect(pin.opened.all).toHaveLength(1)
    expect(pinKey.logins).toBe(3)
    await pinApp.call('session.logout')
  })

  it('a PIN with few tries left: the prompt warns before the user types', async () => {
    const login = later(pinApp.call('session.login', { profile: 'doctor' }))
    const page = await openPin()
    await page.getByRole('alert').filter({ hasText: 'Last try: a wrong PIN now locks your eID card.' }).waitFor()
    await page.getByRole('button', { name: 'Cancel' }).click()
    await expect(login).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
  })

  it('a pinpad reader: the page asks for a confirmation only, with no PIN field', async () => {
    const login = later(pinApp.call('session.login', { profile: 'doctor', method: 'eid' }))
    const page = await openPin()
    expect(await page.locator('input[type=password]').count()).toBe(0)
    await page.getByText('Continue, then enter your PIN on the card reader').waitFor()
    await shoot(page, 'pin-3-pinpad-confirm')
    await page.getByRole('button', { name: 'Continue' }).click()
    await expect(login).resolves.toMatchObject({ state: 'signed-in' })
  })
})
