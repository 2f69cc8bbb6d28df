import { X509Certificate } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_PATHS } from '../../../protocol/environments.js'
import { readTokenDocument } from '../../../protocol/saml/read-token-document.js'
import { checkAssertion } from '../../../protocol/saml/check-assertion.js'
import { EHEALTH_STS_ISSUER } from '../../../protocol/saml/names.js'
import { parseSsoTokenFile, SSO_TOKEN_FILE } from '../../../protocol/saml/sso-token-file.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { createSandboxApp } from '../app.js'
import type { SandboxPki } from '../pki/types.js'
import { SandboxState } from '../sandbox-state.js'
import { createIdpRoutes, IDP_SESSION_COOKIE } from './idp-routes.js'
import { renderQrSvg } from './qr-code.js'

const BASE: string = SANDBOX_PATHS.idpSso
let pki: SandboxPki

beforeAll(async () => {
  pki = await sharedSandboxPki()
}, 120_000)

/** A browser in miniature: one cookie jar, the page's CSRF token, forms posted as a browser does. */
function browser(options: { now?: () => number } = {}) {
  const state = new SandboxState(pki, () => new Date())
  const app = createSandboxApp(state, [createIdpRoutes(options)])
  let cookie: string | undefined
  let csrf = ''
  async function send(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers)
    if (cookie) headers.set('Cookie', cookie)
    const res = await app.request(path, { ...init, headers, redirect: 'manual' })
    const set = res.headers.get('set-cookie')
    if (set) {
      const pair = set.split(';')[0]!
      cookie = pair.endsWith('=') ? undefined : pair
    }
    const text = await res.text()
    csrf = /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? csrf
    return { res, text, setCookie: set }
  }
  const get = (path: string = BASE) => send(path)
  const post = (action: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    send(`${BASE}/${action}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
    })
  return { state, get, post, send, forgetCookie: () => (cookie = undefined), get csrf() { return csrf } }
}

/** Steps 1-3 as the doctor, for the doctor profile (choice 1: citizen is always first). */
async function signInAsDoctor(b: ReturnType<typeof browser>, choice = '1') {
  await b.get()
  expect((await b.post('language', { language: 'nl' })).res.status).toBe(303)
  expect((await b.post('identify', { person: 'doctor' })).res.status).toBe(303)
  const profile = await b.get()
  expect(profile.text).toContain('Ik wil me aanmelden als:')
  const chosen = await b.post('profile', { choice })
  expect(chosen.res.status).toBe(303)
  const result = await b.get()
  const href = /<a class="button" href="([^"]+)">Installeer mijn sessietoken<\/a>/.exec(result.text)?.[1]
  expect(href).toBeDefined()
  return { result, href: href!, path: new URL(href!).pathname }
}

describe('sandbox IDP fat-client SSO pages', () => {
  it('starts with step 1 in Dutch, a session cookie (HttpOnly, SameSite=Lax) and strict headers', async () => {
    const b = browser()
    const { res, text, setCookie } = await b.get()
    expect(res.status).toBe(200)
    expect(setCookie).toMatch(new RegExp(`^${IDP_SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/idp/Token/SSO; HttpOnly; SameSite=Lax$`))
    expect(text).toContain('<html lang="nl">')
    expect(text).toContain('Aanmelden voor eHealth SSO Service')
    expect(text).toContain('Kies uw taal')
    expect(text).toContain('value="nl" checked')
    expect(text).toMatch(/SANDBOX/)
    expect(text).not.toMatch(/<script/i)
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'/)
    expect(res.headers.get('referrer-policy')).toBe('same-origin')
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('offers the token as the STS issued it too: the bare assertion, which the agent imports as it is', async () => {
    const b = browser()
    const { result, path } = await signInAsDoctor(b)
    const bareHref = /<a href="([^"]+\?format=saml)">download het token zoals de STS het uitreikte \(XML\)<\/a>/.exec(result.text)?.[1]
    expect(bareHref).toBe(`http://localhost${path}?format=saml`)
    const download = await b.get(`${path}?format=saml`)
    expect(download.res.status).toBe(200)
    expect(download.res.headers.get('content-type')).toBe('application/samlassertion+xml')
    expect(download.res.headers.get('content-disposition')).toBe('attachment; filename="session-doctor.saml.xml"')
    expect(download.text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><Assertion xmlns="urn:oasis:names:tc:SAML:1\.0:assertion" xmlns:SOAP-ENV=/)
    expect(download.text.endsWith('</Assertion>')).toBe(true)
    const document = readTokenDocument(download.text)
    expect(document.shape).toBe('assertion')
    const token = checkAssertion(document.assertionXml, {
      signerChain: { cas: [new X509Certificate(pki.ehealthCa.certificatePem)], signerOu: 'IAMSANDBOX' },
      now: new Date(),
      expectedHokCertificateBase64: new X509Certificate(pki.keystores.doctor.certificatePem).raw.toString('base64'),
    })
    expect(token.issuer).toBe('urn:be:fgov:ehealth:sts:1_0')
    // One link: either form spends it.
    expect((await b.get(path)).res.status).toBe(410)
  })

  it('walks the wizard and serves a token file the agent accepts, once', async () => {
    const b = browser()
    const { result, href, path } = await signInAsDoctor(b)
    expect(result.text).toContain('Installatie sessietoken')
    expect(result.text).toContain('Anne Janssens (Dokter)')
    expect(result.text).toContain('Toon QR-code')
    expect(result.text).toContain('Kies een ander profiel')
    expect(href).toMatch(new RegExp(`^http://localhost${BASE}/download/[A-Za-z0-9_-]{43}$`))

    const download = await b.get(path)
    expect(download.res.status).toBe(200)
    expect(download.res.headers.get('content-type')).toBe(SSO_TOKEN_FILE.contentType)
    expect(download.res.headers.get('content-disposition')).toBe('attachment; filename="session-doctor.ehtoken"')
    const file = parseSsoTokenFile(download.text)
    expect(file).toMatchObject({ environment: 'sandbox', profile: 'doctor' })
    const doctorCert = new X509Certificate(pki.keystores.doctor.certificatePem).raw.toString('base64')
    const token = checkAssertion(file.assertionXml, {
      trustedSigners: [new X509Certificate(pki.sts.certificatePem)],
      now: new Date(),
      expectedHokCertificateBase64: doctorCert,
      expectedIssuers: [EHEALTH_STS_ISSUER],
    })
    const byName = Object.fromEntries(token.attributes.map((a) => [a.name, a.values]))
    expect(byName['urn:be:fgov:person:ssin:doctor:boolean']).toEqual(['true'])
    expect(byName['urn:be:fgov:person:ssin:ehealth:1.0:doctor:nihii11']).toEqual(['17432581004'])
    expect(result.text).toContain(token.assertionId)

    const again = await b.get(path)
    expect(again.res.status).toBe(410)
    expect(again.text).toContain('Link niet meer geldig')
  })

  it('gives each showing of the result page a new link and kills the previous one', async () => {
    const b = browser()
    const { path: first } = await signInAsDoctor(b)
    const shown = await b.get()
    const second = new URL(/<a class="button" href="([^"]+)"/.exec(shown.text)![1]!).pathname
    expect(second).not.toBe(first)
    expect((await b.get(first)).res.status).toBe(410)
    // Leaving the result page ("Kies een ander profiel") kills its link too.
    await b.get(`${BASE}?step=profile`)
    expect((await b.get(second)).res.status).toBe(410)
  })

  it('does not spend a link on a HEAD request', async () => {
    const b = browser()
    const { path } = await signInAsDoctor(b)
    expect((await b.send(path, { method: 'HEAD' })).res.status).toBe(405)
    expect((await b.get(path)).res.status).toBe(200)
  })

  it('shows the QR code of the download link on request', async () => {
    const b = browser()
    await signInAsDoctor(b)
    const page = await b.get(`${BASE}?qr=1`)
    const href = /<a class="button" href="([^"]+)"/.exec(page.text)![1]!
    expect(page.text).toContain(await renderQrSvg(href, 'Toon QR-code'))
    expect(page.text).toContain('U kan deze QR-code gebruiken')
  })

  it('expires a download link after 5 minutes', async () => {
    let t = Date.now()
    const b = browser({ now: () => t })
    const { path } = await signInAsDoctor(b)
    t += 5 * 60_000
    expect((await b.get(path)).res.status).toBe(410)
  })

  it('a link works without the session cookie (a phone scanning the QR code)', async () => {
    const b = browser()
    const { path } = await signInAsDoctor(b)
    b.forgetCookie()
    expect((await b.get(path)).res.status).toBe(200)
  })

  it('issues an organization token for the hospital the doctor represents', async () => {
    const b = browser()
    await b.get()
    await b.post('language', { language: 'en' })
    await b.post('identify', { person: 'doctor' })
    const profile = await b.get()
    expect(profile.text).toContain('Hospital')
    const index = [...profile.text.matchAll(/value="(\d+)"[^>]*> ([^<]+) </g)].find((m) => m[2] === 'Hospital')![1]!
    expect((await b.post('profile', { choice: index })).res.status).toBe(303)
    const result = await b.get()
    expect(result.text).toContain('Session token installation')
    const path = new URL(/<a class="button" href="([^"]+)"/.exec(result.text)![1]!).pathname
    const download = await b.get(path)
    expect(download.res.headers.get('content-disposition')).toBe('attachment; filename="session-org-hospital.ehtoken"')
    const file = parseSsoTokenFile(download.text)
    expect(file.profile).toBe('org:hospital')
    const token = checkAssertion(file.assertionXml, { trustedSigners: [new X509Certificate(pki.sts.certificatePem)], now: new Date() })
    const byName = Object.fromEntries(token.attributes.map((a) => [a.name, a.values]))
    expect(byName['urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number:recognisedhospital:boolean']).toEqual(['true'])
  })

  it('refuses a person without an eHealth certificate with the IDP\'s text and a reference number', async () => {
    const b = browser()
    await b.get()
    await b.post('language', { language: 'nl' })
    await b.post('identify', { person: 'citizen' })
    const refused = await b.post('profile', { choice: '0' })
    expect(refused.res.status).toBe(403)
    expect(refused.text).toContain('Deze service is momenteel enkel toegankelijk voor personen die beschikken over een actief eHealth Certificaat.')
    expect(refused.text).toMatch(/<strong class="reference">IDP\d{8}[A-Z]{2}<\/strong>/)
    expect(refused.text).toContain('Ik wil me aanmelden als:')
  })

  it('refuses a POST without the CSRF token, from another origin, or without a session', async () => {
    const b = browser()
    await b.get()
    expect((await b.post('language', { language: 'fr', csrf: 'forged' })).res.status).toBe(403)
    expect((await b.post('language', { language: 'fr' }, { Origin: 'http://evil.example' })).res.status).toBe(403)
    expect((await b.post('language', { language: 'fr' })).res.status).toBe(303)
    expect((await b.get()).text).toContain('<html lang="fr">')
    b.forgetCookie()
    expect((await b.post('language', { language: 'en' })).res.status).toBe(403)
  })

  it('refuses unknown values in forms', async () => {
    const b = browser()
    await b.get()
    expect((await b.post('language', { language: 'de' })).res.status).toBe(400)
    await b.post('language', { language: 'nl' })
    expect((await b.post('identify', { person: 'mallory' })).res.status).toBe(400)
    await b.post('identify', { person: 'nurse' })
    expect((await b.post('profile', { choice: '9' })).res.status).toBe(400)
  })

  it('signs out: the session is gone and the wizard starts again', async () => {
    const b = browser()
    await signInAsDoctor(b)
    const out = await b.post('logout', {})
    expect(out.res.status).toBe(303)
    expect(out.setCookie).toMatch(new RegExp(`^${IDP_SESSION_COOKIE}=; Max-Age=0`))
    const fresh = await b.get()
    expect(fresh.text).toContain('Kies uw taal')
  })
})
