import { createPrivateKey, X509Certificate } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_PATHS } from '../../protocol/environments.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { createPkcs11KeySource } from '../../agent/keys/pkcs11-key-source.js'
import { launchChromium } from '../helpers/browser.js'
import { createFakeToken, type FakeToken } from '../helpers/keys-fake-pkcs11.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'
import type { TestIdentity } from '../helpers/test-pki.js'
import { BrowserContexts, shoot } from '../helpers/ui-browser.js'

// A wrong PIN, then the right one, in ONE sign-in, on the agent's own page in real headless
// Chromium, with the tries left shown as the card reports them. SoftHSM2 keeps no PIN counter and
// reports none of the flags, so the card is the fake PKCS#11 layer (test/helpers/keys-fake-pkcs11.ts)
// behind the agent's real PKCS#11 key source: it keeps a counter and reports
// CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY and CKF_USER_PIN_LOCKED as a card does. The
// certificate is the sandbox's eID of the demo doctor, so the sandbox STS accepts the sign-in.

let browser: Browser
let pages: BrowserContexts
let doctor: TestIdentity

beforeAll(async () => {
  browser = await launchChromium()
  pages = new BrowserContexts(browser)
  const card = (await sharedSandboxPki()).eid.doctor.authentication
  const certificate = new X509Certificate(card.certificatePem)
  doctor = {
    privateKey: createPrivateKey(card.privateKeyPem),
    privateKeyPem: card.privateKeyPem,
    certificatePem: card.certificatePem,
    certificateBase64: certificate.raw.toString('base64'),
    certificate,
  }
}, 120_000)

afterAll(async () => {
  await pages?.closeAll()
  await browser?.close()
})

/** An agent whose eID reader holds the fake card; its STS requests are counted by the sandbox. */
async function agentWithCard(tries: number): Promise<{ t: UiTestAgent; card: FakeToken; cli: AgentClient; stsRequests: () => number }> {
  const card = createFakeToken({ identity: doctor, pin: '1234', tries })
  const eid = createPkcs11KeySource({ binding: card.binding, modulePath: 'fake-beidpkcs11.so' })
  const t = await startUiTestAgent({ keySources: { eid } })
  const cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
  return { t, card, cli, stsRequests: () => t.sandbox.state.requests.snapshot().requests[SANDBOX_PATHS.stsWsTrust] ?? 0 }
}

async function openPrompt(t: UiTestAgent): Promise<Page> {
  const page = await pages.page()
  await page.goto(await t.opened.next())
  return page
}

async function typePin(page: Page, label: string, pin: string, button: string): Promise<void> {
  await page.getByLabel(label).fill(pin)
  await page.getByRole('button', { name: button }).click()
}

/** The alert on the page once it says `text`. */
async function alertSaying(page: Page, text: string): Promise<string> {
  const alert = page.getByRole('alert').filter({ hasText: text })
  await alert.waitFor()
  return alert.innerText()
}

describe('a wrong PIN then the right one, in one sign-in (fake PKCS#11 card reporting its PIN flags)', () => {
  it('the page says the PIN was wrong and the tries left (EN, NL, FR), asks again, and the right PIN signs in; the STS is called once', async () => {
    const { t, card, cli, stsRequests } = await agentWithCard(3)
    try {
      const login = cli.call('session.login', { profile: 'doctor', method: 'eid' })
      login.catch(() => undefined)
      const page = await openPrompt(t)
      const url = page.url()
      // A fresh card: no warning before the first try.
      expect(await page.getByRole('alert').count()).toBe(0)
      await typePin(page, 'eID PIN', '0000', 'Sign in')
      // The card now reports CKF_USER_PIN_COUNT_LOW.
      expect(await alertSaying(page, 'The PIN is incorrect.')).toBe('The PIN is incorrect. Few tries left before the card locks. Type it again, or cancel. Nothing is tried without you.')
      await shoot(page, 'pin-tries-1-en')
      // Asked again on the same page; nothing was retried by itself; the caller still waits.
      expect(page.url()).toBe(url)
      expect(card.logins).toEqual(['0000'])
      expect(t.opened.pending()).toBe(0)
      expect(stsRequests()).toBe(0)

      // The same question in Dutch and in French (the language switch keeps the page).
      await page.getByRole('button', { name: 'Nederlands' }).click()
      expect(await alertSaying(page, 'De pincode is onjuist.')).toBe('De pincode is onjuist. Nog weinig pogingen voordat de kaart geblokkeerd wordt. Probeer opnieuw, of annuleer. Zonder u wordt niets geprobeerd.')
      await shoot(page, 'pin-tries-2-nl')
      await page.getByRole('button', { name: 'Français' }).click()
      expect(await alertSaying(page, 'Le code PIN est incorrect.')).toBe('Le code PIN est incorrect. Il reste peu d’essais avant le blocage de la carte. Réessayez, ou annulez. Rien n’est essayé sans vous.')
      await shoot(page, 'pin-tries-3-fr')
      expect(card.logins).toEqual(['0000'])

      await typePin(page, 'Code PIN de l’eID', '1234', 'Se connecter')
      await page.getByText(/Connecté en tant que Médecin jusqu’à demain \d\d:\d\d \(dans 24 h\)\./).waitFor()
      await shoot(page, 'pin-tries-4-signed-in')
      await expect(login).resolves.toMatchObject({ state: 'signed-in', token: { profile: { id: 'doctor' } } })
      // One sign-in: two tries, both typed by the user; one page; one STS request.
      expect(card.logins).toEqual(['0000', '1234'])
      expect(t.opened.all).toHaveLength(1)
      expect(stsRequests()).toBe(1)
    } finally {
      await t.agent.close()
    }
  })

  it('the final try is announced; a wrong PIN then locks the card and the sign-in stops with a clear message', async () => {
    const { t, card, cli, stsRequests } = await agentWithCard(2)
    try {
      const login = cli.call('session.login', { profile: 'doctor', method: 'eid' })
      login.catch(() => undefined)
      const page = await openPrompt(t)
      await typePin(page, 'eID PIN', '0000', 'Sign in')
      // CKF_USER_PIN_FINAL_TRY.
      expect(await alertSaying(page, 'The PIN is incorrect.')).toBe('The PIN is incorrect. One try left before the card locks. Type it again, or cancel. Nothing is tried without you.')
      await typePin(page, 'eID PIN', '9999', 'Sign in')
      // CKF_USER_PIN_LOCKED: no further question, the page says what to do.
      expect(await alertSaying(page, 'The PIN is locked.')).toMatch(/^The PIN is locked\. Unblock the card with its PUK code/)
      await shoot(page, 'pin-tries-5-locked')
      await expect(login).rejects.toMatchObject({ code: 'ERR_PIN_LOCKED', data: { retriesLeft: 0 } })
      expect(await page.getByLabel('eID PIN').count()).toBe(0)
      expect(card.logins).toEqual(['0000', '9999'])
      expect(stsRequests()).toBe(0)
      // A later sign-in is refused before any question: the card is locked.
      await expect(cli.call('session.login', { profile: 'doctor', method: 'eid' })).rejects.toMatchObject({ code: 'ERR_PIN_LOCKED' })
      expect(t.opened.all).toHaveLength(1)
      expect(card.logins).toHaveLength(2)
    } finally {
      await t.agent.close()
    }
  })
})
