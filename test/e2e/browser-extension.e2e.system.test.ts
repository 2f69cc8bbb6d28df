import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_ID } from '../../protocol/browser-extension/names.js'
import { connectToAgent } from '../../clients/js/discover-agent.js'
import type { AgentClient } from '../../clients/js/agent-client.js'
import { serveAttackerSite, type AttackerSite } from '../helpers/browser.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { installNativeHost, launchChromiumWithExtension } from '../helpers/extension-browser.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { wssecIdAttrs, xmlsecVerify } from '../helpers/xmlsec.js'

/**
 * The browser extension end to end: the extension, loaded unpacked in headless Chromium, gets a
 * signed envelope from the agent through its native messaging host. The web page talks only to the
 * extension (`chrome.runtime.sendMessage`), the extension only to the host, the host to the
 * agent as a paired client: no page ever fetches the loopback port (threat T13).
 */

const EXTENSION_NAME = `Browser extension (${EXTENSION_ID})`
const CANARY = 'CANARY-5be2-extension-body'

/** The web application: asks the extension, by its fixed id, and hands back whatever it answers. */
const APP_PAGE = `<!doctype html><meta charset="utf-8"><title>practice web app</title>
<script>
window.askExtension = (request) => new Promise((resolve) => {
  if (!globalThis.chrome?.runtime?.sendMessage) return resolve({ unreachable: true })
  chrome.runtime.sendMessage(${JSON.stringify(EXTENSION_ID)}, request, (answer) => resolve(answer ?? { lastError: chrome.runtime.lastError?.message }))
})
</script>`

interface PageAnswer {
  jsonrpc?: string
  id?: unknown
  result?: { envelope: string; assertionId: string; signedAt: string }
  error?: { code: number; message: string; data: Record<string, unknown> }
  unreachable?: boolean
  lastError?: string
}

const scratch = mkdtempSync(join(tmpdir(), 'bx-e2e-'))
let t: TestAgent
let site: AttackerSite
let userDataDir: string
let browser: BrowserContext
let page: Page
let cli: AgentClient

function ask(p: Page, request: unknown): Promise<PageAnswer> {
  return p.evaluate((r) => (window as unknown as { askExtension: (r: unknown) => Promise<PageAnswer> }).askExtension(r), request)
}

const signRequest = (id: string | number, envelope: string) => ({ jsonrpc: '2.0', id, method: 'soap.sign', params: { envelope } })

async function soapSignRecords() {
  await t.agent.services.audit.flush()
  return (await cli.call('audit.list', { limit: 1000 })).records.filter((r) => r.event === 'soap.sign')
}

beforeAll(async () => {
  site = await serveAttackerSite({ '/app': APP_PAGE })
  // The administrator allows the practice's web application, in the agent and in the extension.
  t = await startTestAgent({ config: { allowedWebOrigins: [site.origin] } })
  cli = await connectToAgent({ stateDir: t.stateDir, context: { platform: 'linux', home: t.stateDir, uid: process.getuid?.() ?? 0, env: {} } })
  userDataDir = join(scratch, 'profile')
  installNativeHost(userDataDir, { stateDir: t.stateDir, wrapperDir: join(scratch, 'host') })
  // foreign.test is any web site the extension does not name; it resolves to the same server.
  browser = await launchChromiumWithExtension(userDataDir, ['--host-resolver-rules=MAP foreign.test 127.0.0.1'], [site.origin])
  page = await browser.newPage()
  await page.goto(`${site.origin}/app`)
}, 120_000)

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  await site?.close()
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('the browser extension, loaded unpacked in headless Chromium, through its native messaging host', () => {
  it('a page of an allowlisted origin gets an envelope signed by the agent, which xmlsec1 verifies', async () => {
    const answer = await ask(page, signRequest('first', makeEnvelope(4096, { canary: CANARY })))
    expect(answer.error).toBeUndefined()
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 'first', result: { assertionId: expect.stringMatching(/^_/) } })
    const signed = answer.result!.envelope
    expect(signed).toContain(CANARY)
    const sigId = /<ds:Signature xmlns:ds="[^"]+" Id="([^"]+)"/.exec(signed)![1]!
    const res = xmlsecVerify(
      signed,
      t.sandbox.state.pki.keystores.doctor.certificatePem,
      [...wssecIdAttrs('http://schemas.xmlsoap.org/soap/envelope/'), ['Id', 'http://www.w3.org/2000/09/xmldsig#:Signature']],
      ['--node-id', sigId],
    )
    expect(res.output).toMatch(/OK/)
    expect(res.ok).toBe(true)
    // The user approved the extension by name, for signing only; the sign-in prompt named it too.
    expect(t.prompter.pairings).toEqual([expect.objectContaining({ client: EXTENSION_NAME, kind: 'browser-extension', scopes: { methods: ['soap.sign'], services: ['*'] } })])
    // ...then allowed the website, once, and signed in for it: the prompts name the site.
    expect(t.prompter.approvals).toEqual([expect.objectContaining({ kind: 'origin', origin: site.origin, client: EXTENSION_NAME })])
    expect(t.prompter.prompts.at(-1)).toMatchObject({ client: EXTENSION_NAME, origin: site.origin, purpose: 'login' })
  })

  it('the pairing prompt was shown once: concurrent requests, and a new host process after a browser restart, reuse the credential', async () => {
    const answers = await Promise.all([1, 2, 3].map((n) => ask(page, signRequest(n, makeEnvelope(1000)))))
    expect(answers.map((a) => [a.id, a.result?.assertionId !== undefined])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ])
    const credential = join(t.stateDir, 'native-host', `${EXTENSION_ID}.credential`)
    expect(statSync(credential).mode & 0o777).toBe(0o600)
    expect(statSync(join(credential, '..')).mode & 0o777).toBe(0o700)

    await browser.close()
    browser = await launchChromiumWithExtension(userDataDir, ['--host-resolver-rules=MAP foreign.test 127.0.0.1'], [site.origin])
    page = await browser.newPage()
    await page.goto(`${site.origin}/app`)
    const again = await ask(page, signRequest('after-restart', makeEnvelope(1000)))
    expect(again.result?.envelope).toContain('wsse:Security')
    expect(t.prompter.pairings).toHaveLength(1)
    expect(t.prompter.approvals).toHaveLength(1)
  })

  it('the privacy log names the extension for every signature, and no web page knocked on the loopback port', async () => {
    const signs = await soapSignRecords()
    expect(signs).toHaveLength(5)
    for (const record of signs) expect(record).toMatchObject({ client: { name: EXTENSION_NAME }, origin: site.origin, program: { executable: process.execPath }, outcome: 'ok' })
    const { records } = await cli.call('audit.list', { limit: 1000 })
    expect(records.filter((r) => r.outcome === 'rejected')).toEqual([])
    expect(JSON.stringify(records)).not.toContain(CANARY)
  })

  it('a page of an origin the extension does not name cannot reach it', async () => {
    const foreign = await browser.newPage()
    await foreign.goto(site.origin.replace('127.0.0.1', 'foreign.test') + '/app')
    expect(await foreign.evaluate(() => location.hostname)).toBe('foreign.test')
    expect(await ask(foreign, signRequest('x', makeEnvelope(100)))).toEqual({ unreachable: true })
    await foreign.close()
    expect(await soapSignRecords()).toHaveLength(5)
    expect(t.prompter.pairings).toHaveLength(1)
  })

  it('an envelope too large for native messaging gets a typed error, and nothing is signed', async () => {
    // Over the 1 MB a host may send back: refused by the host before the agent signs anything.
    const big = await ask(page, signRequest('big', makeEnvelope(1536 * 1024)))
    expect(big).toMatchObject({
      id: 'big',
      error: { code: -32042, data: { code: 'ERR_XML_TOO_LARGE', limit: 1024 * 1024, reason: 'native-messaging-limit' } },
    })
    // Absurdly large: refused by the extension itself, never sent down the pipe.
    const huge = await ask(page, signRequest('huge', 'x'.repeat(4 * 1024 * 1024 + 1)))
    expect(huge).toMatchObject({ id: 'huge', error: { data: { code: 'ERR_XML_TOO_LARGE', reason: 'extension-limit' } } })
    expect(await soapSignRecords()).toHaveLength(5)
    // The host is still there for the next request.
    expect((await ask(page, signRequest('after', makeEnvelope(100)))).result?.assertionId).toMatch(/^_/)
  })

  it('what a page may not ask is refused with typed errors: other methods, a PIN, malformed requests', async () => {
    expect(await ask(page, { jsonrpc: '2.0', id: 1, method: 'client.revoke', params: { clientId: 'x' } })).toMatchObject({ id: 1, error: { code: -32601, data: { code: 'ERR_METHOD_NOT_FOUND' } } })
    expect(await ask(page, { jsonrpc: '2.0', id: 2, method: 'soap.sign', params: { envelope: makeEnvelope(100), pin: '1234' } })).toMatchObject({
      id: 2,
      error: { code: -32602, data: { code: 'ERR_INVALID_PARAMS' } },
    })
    expect(await ask(page, { id: 3, method: 'soap.sign' })).toMatchObject({ id: 3, error: { data: { code: 'ERR_INVALID_REQUEST' } } })
    expect(await ask(page, 'sign this')).toMatchObject({ id: null, error: { data: { code: 'ERR_INVALID_REQUEST' } } })
    // The agent refuses what it cannot sign unambiguously (T9), and the page gets the agent's own code.
    const twoBodies = makeEnvelope(100).replace('</soapenv:Envelope>', '<soapenv:Body/></soapenv:Envelope>')
    expect(await ask(page, signRequest(4, twoBodies))).toMatchObject({ id: 4, error: { data: { code: 'ERR_SOAP_INVALID' } } })
  })
})

describe('the extension as committed lets no web page in', () => {
  let committed: BrowserContext | undefined
  afterAll(async () => {
    await committed?.close().catch(() => undefined)
  })

  it('not even a page on 127.0.0.1: an administrator names the origins of a deployment', async () => {
    committed = await launchChromiumWithExtension(join(scratch, 'profile-committed'))
    const p = await committed.newPage()
    await p.goto(`${site.origin}/app`)
    expect(await ask(p, signRequest(1, makeEnvelope(100)))).toEqual({ unreachable: true })
  })
})

describe('the native host manifest is what lets the extension in', () => {
  let other: BrowserContext | undefined
  afterAll(async () => {
    await other?.close().catch(() => undefined)
  })

  it('no host manifest: ERR_AGENT_UNREACHABLE (host not installed); a manifest naming another extension id: refused by Chromium', async () => {
    const profile = join(scratch, 'profile-without-host')
    other = await launchChromiumWithExtension(profile, [], [site.origin])
    const p = await other.newPage()
    await p.goto(`${site.origin}/app`)
    expect(await ask(p, signRequest(1, makeEnvelope(100)))).toMatchObject({
      id: 1,
      error: { code: -32062, data: { code: 'ERR_AGENT_UNREACHABLE', reason: 'native-host-unavailable', detail: expect.stringMatching(/not found/i) } },
    })
    installNativeHost(profile, { stateDir: t.stateDir, wrapperDir: join(scratch, 'host-other'), extensionIds: ['abcdefghijklmnopabcdefghijklmnop'] })
    expect(await ask(p, signRequest(2, makeEnvelope(100)))).toMatchObject({
      id: 2,
      error: { data: { code: 'ERR_AGENT_UNREACHABLE', detail: expect.stringMatching(/forbidden/i) } },
    })
    // The same profile with the exact id: it works (so the refusals above were about the manifest).
    installNativeHost(profile, { stateDir: t.stateDir, wrapperDir: join(scratch, 'host-other') })
    expect((await ask(p, signRequest(3, makeEnvelope(100)))).result?.assertionId).toMatch(/^_/)
    expect(t.prompter.pairings).toHaveLength(1)
  })
})
