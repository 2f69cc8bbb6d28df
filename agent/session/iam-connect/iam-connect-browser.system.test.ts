import { X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentError } from '../../../protocol/errors.js'
import { prepareWsSecurity } from '../../../protocol/wssec/prepare-ws-security.js'
import { makeEnvelope } from '../../../test/helpers/envelopes.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { systemClock } from '../../clock.js'
import { ScriptedPrompter } from '../../consent/scripted-prompter.js'
import { createHttpClient } from '../../net/http-client.js'
import type { KeySource } from '../../keys/key-source.js'
import { createSessionKeySource } from '../../keys/session-key-source.js'
import { iamConnectProviderOf, type IamConnectProvider } from '../../sandbox/oidc/iam-connect-provider.js'
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js'
import { Session, type ActiveToken } from '../session.js'
import { iamConnectIssuerFor } from './iam-connect-issuers.js'
import { loginWithIamConnect } from './login-with-iam-connect.js'

// The whole IAM Connect sign-in as a user does it: real headless Chromium (Debian's
// /usr/bin/chromium, never a downloaded one) as the "system browser", the sandbox on a loopback
// socket, the agent's one-shot loopback listener receiving the redirect. Screenshots go to
// test-artifacts/iam-connect/ (gitignored).
const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/iam-connect/', import.meta.url))

let sandbox: RunningSandbox
let provider: IamConnectProvider
let browser: Browser
const contexts: BrowserContext[] = []
// The agent's own HTTP client, as the daemon gives it to the sign-in.
const http = createHttpClient()

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}; the IAM Connect browser test needs it: apt-get install -y chromium`)
  mkdirSync(ARTIFACTS, { recursive: true })
  const pki = await sharedSandboxPki()
  sandbox = await startSandbox({ stateDir: dirname(pki.dir) })
  provider = iamConnectProviderOf(sandbox.state)!
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}, 120_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await browser?.close()
  await http.close()
  await sandbox?.close()
})

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-BE' })
  contexts.push(context)
  return context.newPage()
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })

function newSession(): Session {
  return new Session({
    exchange: {
      post: () => Promise.reject(new AgentError('ERR_INTERNAL', 'no STS in this test')),
      stsUrl: sandbox.environment.stsWsTrust,
      trustedSigners: [new X509Certificate(sandbox.state.pki.sts.certificatePem)],
      now: () => new Date(),
      newId: () => 'unused',
    },
    clock: systemClock,
    prompter: new ScriptedPrompter({ secret: 'sandbox' }),
    environment: 'Sandbox',
    random: () => 0.5,
  })
}

/** Start the agent's sign-in with `page` as the system browser; returns the pending login and the URL it opened. */
function startLogin(page: Page, session: Session, key: KeySource, profile?: string) {
  const opened: string[] = []
  const done = loginWithIamConnect({
    session,
    holderOfKey: key,
    issuer: iamConnectIssuerFor(sandbox.environment),
    ...(profile ? { profile } : {}),
    openUrl: async (url) => {
      opened.push(url)
      void page.goto(url).catch(() => undefined)
    },
    clock: systemClock,
    client: { client: 'MediSoft 4.2' },
    fetch: http.fetch,
    timeoutMs: 60_000,
  })
  // Observed by the test below; never an unhandled rejection meanwhile.
  done.catch(() => undefined)
  return { done, opened }
}

/** The login page: the simulated method and person. */
async function signInAs(page: Page, method: RegExp, person: RegExp, prefix: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to eHealth' }).waitFor()
  expect(await page.locator('strong.client').textContent()).toBe('ehealth-agent (the eHealth agent on this computer)')
  await page.getByRole('radio', { name: method }).check()
  await page.getByRole('radio', { name: person }).check()
  if (/TOTP/.test(method.source)) await page.getByRole('textbox', { name: /Security code/ }).fill('123456')
  await shot(page, `${prefix}-1-login`)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** Sign an envelope with the token and its HOK key, post it to the sandbox's HOK echo service. */
async function callHokService(token: ActiveToken, key: KeySource): Promise<string> {
  let n = 0
  const prepared = prepareWsSecurity(makeEnvelope(800), {
    profile: { kind: 'saml-hok', assertionXml: token.assertion.xml, assertionId: token.assertion.assertionId },
    now: new Date(),
    newId: (kind) => `${kind}-${++n}`,
  })
  const signed = prepared.finish(await key.sign(prepared.signedInfo, prepared.hash))
  const res = await fetch(sandbox.environment.services.hokEcho!, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: signed })
  return res.text()
}

describe('IAM Connect sign-in in headless Chromium', () => {
  it('login page, profile choice, first-use consent; the SAML token then signs an envelope the HOK service accepts', async () => {
    const page = await freshPage()
    const session = newSession()
    const key = createSessionKeySource()
    const { done, opened } = startLogin(page, session, key, 'doctor')

    await signInAs(page, /eID card/, /Anne Janssens/, 'doctor')
    await page.getByRole('heading', { name: 'Choose your profile' }).waitFor()
    expect(await page.locator('strong.identified').textContent()).toBe('Anne Janssens')
    // The agent's profile_hint is preselected; the other profiles are offered too (I.AM IDP v1.0).
    expect(await page.getByRole('radio', { name: /^Doctor/ }).isChecked()).toBe(true)
    expect(await page.getByRole('radio').count()).toBe(3) // citizen, doctor, the hospital she represents
    await shot(page, 'doctor-2-profile')
    await page.getByRole('button', { name: 'Continue' }).click()

    await page.getByRole('heading', { name: 'Allow access?' }).waitFor()
    expect(await page.locator('dd.profile').textContent()).toMatch(/^Doctor: Anne Janssens \(doctor, NIHII \d{11}\)$/)
    await shot(page, 'doctor-3-consent')
    await page.getByRole('button', { name: 'Allow' }).click()

    await page.getByText('The eHealth sign-in came back to the agent.').waitFor()
    await shot(page, 'doctor-4-back-at-agent')
    const token = await done
    // RFC 8252: the loopback redirect; PKCE S256, state and nonce in the request.
    const request = new URL(opened[0]!)
    expect(request.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(new URL(page.url()).origin).toBe(new URL(request.searchParams.get('redirect_uri')!).origin)
    expect(request.searchParams.get('code_challenge_method')).toBe('S256')
    expect(request.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(request.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/)

    expect(token.profile.id).toBe('doctor')
    expect(token.realIdentity).toMatchObject({ name: 'Anne Janssens', ssin: '78031420465' })
    const answer = await callHokService(token, key)
    expect(answer).toContain('<echo:Accepted>true</echo:Accepted>')
    expect(answer).toContain(`<echo:AssertionID>${token.assertion.assertionId}</echo:AssertionID>`)
    expect(answer).toContain('<echo:Attribute Name="urn:be:fgov:person:ssin:doctor:boolean">true</echo:Attribute>')

    // Global logout reaches the provider; a later sign-in in another browser asks no consent again.
    const before = provider.logouts.length
    await session.logout()
    expect(provider.logouts.length).toBe(before + 1)
    await expect(session.token()).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })

    const again = await freshPage()
    const second = startLogin(again, session, createSessionKeySource(), 'doctor')
    await signInAs(again, /itsme/, /Anne Janssens/, 'doctor-again')
    await again.getByRole('heading', { name: 'Choose your profile' }).waitFor()
    await again.getByRole('button', { name: 'Continue' }).click()
    await again.getByText('The eHealth sign-in came back to the agent.').waitFor()
    expect((await second.done).profile.id).toBe('doctor')
    await session.logout()
  }, 90_000)

  it('a refusal on the consent page comes back to the agent as a typed "access denied"', async () => {
    const page = await freshPage()
    const session = newSession()
    const { done } = startLogin(page, session, createSessionKeySource())
    await signInAs(page, /TOTP/, /Marc Peeters/, 'nurse')
    await page.getByRole('heading', { name: 'Choose your profile' }).waitFor()
    await page.getByRole('radio', { name: /^Nurse/ }).check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor()
    await shot(page, 'nurse-3-consent')
    await page.getByRole('button', { name: 'Refuse' }).click()
    await expect(done).rejects.toMatchObject({ reason: 'access-denied', code: 'ERR_USER_CANCELLED', data: { oauthError: 'access_denied' } })
    expect(session.current()).toBeUndefined()
  }, 90_000)
})
