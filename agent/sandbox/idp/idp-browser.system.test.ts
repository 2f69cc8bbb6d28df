import { X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_PATHS } from '../../../protocol/environments.js'
import { checkAssertion } from '../../../protocol/saml/check-assertion.js'
import { parseSsoTokenFile } from '../../../protocol/saml/sso-token-file.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { startSandbox, type RunningSandbox } from '../server.js'
import { renderQrSvg } from './qr-code.js'

// Real headless Chromium (Debian's), through a real loopback socket, against startSandbox's
// default routes: what a user of `ehagent sandbox` gets in a browser.
const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/idp/', import.meta.url))

let sandbox: RunningSandbox
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}; the IDP browser test needs it: apt-get install -y chromium`)
  }
  mkdirSync(ARTIFACTS, { recursive: true })
  const pki = await sharedSandboxPki()
  // The shared test PKI's state directory: loaded, not generated again.
  sandbox = await startSandbox({ stateDir: dirname(pki.dir) })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}, 120_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await browser?.close()
  await sandbox?.close()
})

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'nl-BE' })
  contexts.push(context)
  return context.newPage()
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })
}

/** Steps 1 and 2 of the I.AM fat-client SSO spec v1.0 §5.1: Dutch, then the simulated eID of `person`. */
async function identify(page: Page, person: RegExp, prefix: string): Promise<void> {
  await page.goto(sandbox.url + SANDBOX_PATHS.idpSso)
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Aanmelden voor eHealth SSO Service')
  expect(await page.getByRole('radio', { name: 'Nederlands' }).isChecked()).toBe(true)
  await shot(page, `${prefix}-1-language`)
  await page.getByRole('button', { name: 'Volgende' }).click()

  await page.getByText('Stap 2.').waitFor()
  await page.getByRole('radio', { name: person }).check()
  await shot(page, `${prefix}-2-identify`)
  await page.getByRole('button', { name: 'Ga verder met elektronische identiteitskaart' }).click()
  await page.getByText('Ik wil me aanmelden als:').waitFor()
}

describe('IDP fat-client SSO in headless Chromium', () => {
  it('identifies the doctor, downloads a doctor token the agent accepts; the link works once', async () => {
    const page = await freshPage()
    await identify(page, /Anne Janssens/, 'doctor')
    await page.getByRole('radio', { name: /^Dokter/ }).check()
    await shot(page, 'doctor-3-profile')
    await page.getByRole('button', { name: 'Aanmelden' }).click()

    await page.getByRole('heading', { name: 'Installatie sessietoken' }).waitFor()
    expect(await page.locator('strong.identified').textContent()).toBe('Anne Janssens (Dokter)')
    await shot(page, 'doctor-4-result')

    const [qrPage] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`${SANDBOX_PATHS.idpSso}?qr=1`)),
      page.getByRole('link', { name: 'Toon QR-code' }).click(),
    ])
    await page.locator('svg.qr').waitFor()
    expect(await page.locator('svg.qr').isVisible()).toBe(true)
    const install = page.getByRole('link', { name: 'Installeer mijn sessietoken' })
    const href = (await install.getAttribute('href'))!
    expect(href).toMatch(new RegExp(`^${sandbox.url}${SANDBOX_PATHS.idpSso}/download/[A-Za-z0-9_-]{43}$`))
    // The QR code on the page encodes exactly the download link.
    expect(await qrPage.text()).toContain(await renderQrSvg(href, 'Toon QR-code'))
    await shot(page, 'doctor-5-qr')

    const [download] = await Promise.all([page.waitForEvent('download'), install.click()])
    expect(download.suggestedFilename()).toBe('session-doctor.ehtoken')
    const file = parseSsoTokenFile(readFileSync((await download.path())!, 'utf8'))
    expect(file).toMatchObject({ environment: 'sandbox', profile: 'doctor' })
    const token = checkAssertion(file.assertionXml, {
      trustedSigners: [new X509Certificate(sandbox.state.pki.sts.certificatePem)],
      now: new Date(),
      expectedHokCertificateBase64: new X509Certificate(sandbox.state.pki.keystores.doctor.certificatePem).raw.toString('base64'),
    })
    expect(token.attributes.find((a) => a.name === 'urn:be:fgov:person:ssin:doctor:boolean')?.values).toEqual(['true'])

    // Used once: the same link is refused, in the browser and to anyone else.
    const again = await page.goto(href)
    expect(again?.status()).toBe(410)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Link niet meer geldig')
    await shot(page, 'doctor-6-link-used')
    expect((await fetch(href)).status).toBe(410)
  }, 60_000)

  it('shows the IDP\'s failure text to a person without an eHealth certificate', async () => {
    const page = await freshPage()
    await identify(page, /Jan Willems/, 'citizen')
    await page.getByRole('radio', { name: /^Burger/ }).check()
    await page.getByRole('button', { name: 'Aanmelden' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('Deze service is momenteel enkel toegankelijk voor personen die beschikken over een actief eHealth Certificaat.')
    expect(await page.locator('strong.reference').textContent()).toMatch(/^IDP\d{8}[A-Z]{2}$/)
    await shot(page, 'citizen-3-no-certificate')
  }, 60_000)
})
