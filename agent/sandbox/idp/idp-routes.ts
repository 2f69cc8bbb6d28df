import { randomInt } from 'node:crypto'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { SANDBOX_PATHS } from '../../../protocol/environments.js'
import { SSO_TOKEN_FILE } from '../../../protocol/saml/sso-token-file.js'
import type { SandboxRoutes } from '../app.js'
import { PEOPLE, PERSON_IDS, type PersonId } from '../directory-data.js'
import { findPersonById, profilesFor } from '../directory.js'
import { DownloadStore } from './download-store.js'
import { issueSsoToken } from './issue-sso-token.js'
import { PAGE_CSP } from './layout.js'
import { renderIdentifyPage, renderLanguagePage, renderMessagePage, renderProfilePage, renderResultPage, type PageContext } from './pages.js'
import { renderQrSvg } from './qr-code.js'
import { checkCsrf, SessionStore, type IdpSession } from './session-store.js'
import { isLanguage, TEXTS } from './texts.js'

/** The media type IANA lists for a SAML assertion (registered by OASIS). */
export const SAML_ASSERTION_CONTENT_TYPE = 'application/samlassertion+xml'

/** The session cookie; its value is a random session id and nothing else. */
export const IDP_SESSION_COOKIE = 'ehidp_session'

/** Options of {@link createIdpRoutes}; the defaults suit a running sandbox. */
export interface IdpOptions {
  /** The IDP's own clock for sessions and links (not the STS's, which tests may skew). */
  now?: () => number
  sessionIdleMs?: number
  /** Lifetime of a download link; default 5 minutes. */
  downloadTtlMs?: number
}

const BASE = SANDBOX_PATHS.idpSso
// Forms carry a language, a person id, a choice index and the CSRF token: a few hundred bytes.
const FORM_LIMIT = bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text('form too large', 413) })

/**
 * The IDP's fat-client SSO wizard (I.AM fat-client SSO spec v1.0) at `SANDBOX_PATHS.idpSso`, as
 * server-rendered pages without script:
 * - `GET  /idp/Token/SSO`             the current step (`?step=language|identify|profile` to go
 *                                      back, `?qr=1` on the result page to show the QR code);
 * - `POST /idp/Token/SSO/language`    step 1; `/identify` step 2 (a simulated eID: one of the
 *                                      directory's test people); `/profile` step 3, which obtains
 *                                      the token; `/logout`;
 * - `GET  /idp/Token/SSO/download/:id` the `.ehtoken` file, once per link, within 5 minutes;
 *                                      `?format=saml`: the bare assertion instead.
 *
 * Per-browser state lives server-side, keyed by a random HttpOnly, SameSite=Lax cookie; every
 * POST needs the session's CSRF token (and a same-origin Origin when the browser sends one).
 */
export function createIdpRoutes(options: IdpOptions = {}): SandboxRoutes {
  return (app, state) => {
    const now = options.now ?? Date.now
    const sessions = new SessionStore({ now, ...(options.sessionIdleMs ? { idleMs: options.sessionIdleMs } : {}) })
    const downloads = new DownloadStore({ now, ...(options.downloadTtlMs ? { ttlMs: options.downloadTtlMs } : {}) })
    let attempts = 0

    app.get(BASE, async (c) => {
      const session = sessions.find(getCookie(c, IDP_SESSION_COOKIE)) ?? startSession(c, sessions)
      const step = c.req.query('step')
      const ctx = contextOf(session)
      const person = session.personId === undefined ? undefined : findPersonById(session.personId)
      if (!session.result || step !== undefined) {
        // Away from the result page, its link goes: only a link on the screen works.
        downloads.revoke(session.downloadId)
        session.downloadId = undefined
      }
      if (!session.languageChosen || step === 'language') return page(c, renderLanguagePage(ctx))
      if (!person || step === 'identify') return page(c, renderIdentifyPage(ctx, PEOPLE))
      if (!session.result || step === 'profile') return page(c, renderProfilePage(ctx, person, profilesFor(person.ssin)))

      // Each showing of the result page gets a fresh one-time link; the previous one dies, so
      // only the link (and QR code) on the screen in front of the user works.
      downloads.revoke(session.downloadId)
      const { fileText, fileName, assertionText, assertionFileName } = session.result
      session.downloadId = downloads.issue({ fileText, fileName, assertionText, assertionFileName })
      const href = new URL(`${BASE}/download/${session.downloadId}`, c.req.url).href
      const qr = c.req.query('qr') === '1' ? await renderQrSvg(href, TEXTS[session.language].showQr) : undefined
      return page(c, renderResultPage(ctx, person, session.result, href, qr))
    })

    app.post(`${BASE}/language`, FORM_LIMIT, async (c) => {
      const found = await postedForm(c, sessions)
      if (found instanceof Response) return found
      const { session, form } = found
      if (!isLanguage(form.language)) return badForm(c, session)
      session.language = form.language
      session.languageChosen = true
      return c.redirect(BASE, 303)
    })

    app.post(`${BASE}/identify`, FORM_LIMIT, async (c) => {
      const found = await postedForm(c, sessions)
      if (found instanceof Response) return found
      const { session, form } = found
      if (!isPersonId(form.person)) return badForm(c, session)
      session.personId = form.person
      session.result = undefined
      downloads.revoke(session.downloadId)
      session.downloadId = undefined
      return c.redirect(BASE, 303)
    })

    app.post(`${BASE}/profile`, FORM_LIMIT, async (c) => {
      const found = await postedForm(c, sessions)
      if (found instanceof Response) return found
      const { session, form } = found
      if (session.personId === undefined) return c.redirect(BASE, 303)
      const person = findPersonById(session.personId)
      const choices = profilesFor(person.ssin)
      const index = typeof form.choice === 'string' && /^\d{1,3}$/.test(form.choice) ? Number(form.choice) : -1
      const choice = choices[index]
      if (!choice) return badForm(c, session)

      const outcome = issueSsoToken(state, person, choice)
      if (outcome.kind === 'no-certificate') {
        // The fat-client SSO spec §5.1: "If the user doesn't have an active eHealth Certificate,
        // the wizard will fail", with a reference number shaped like the spec's IDP00000007YS.
        const reference = `IDP${String(++attempts).padStart(8, '0')}${letter()}${letter()}`
        return page(c, renderProfilePage(contextOf(session), person, choices, { reference }), 403)
      }
      if (outcome.kind === 'denied') return page(c, renderMessagePage(session.language, BASE, TEXTS[session.language].title, outcome.message), 403)
      session.result = outcome.result
      downloads.revoke(session.downloadId)
      session.downloadId = undefined
      return c.redirect(BASE, 303)
    })

    app.post(`${BASE}/logout`, FORM_LIMIT, async (c) => {
      const found = await postedForm(c, sessions)
      if (found instanceof Response) return found
      downloads.revoke(found.session.downloadId)
      sessions.delete(found.session.id)
      deleteCookie(c, IDP_SESSION_COOKIE, { path: BASE })
      return c.redirect(BASE, 303)
    })

    // No session needed: the link is the secret, so that a phone scanning the QR code can use it.
    app.get(`${BASE}/download/:id`, (c) => {
      // hono answers HEAD with the GET handler: a HEAD (a link checker, a preview) must not
      // spend the user's one use.
      if (c.req.method !== 'GET') return c.body(null, 405, { Allow: 'GET' })
      const download = downloads.take(c.req.param('id'))
      if (!download) {
        const language = sessions.find(getCookie(c, IDP_SESSION_COOKIE))?.language ?? 'nl'
        const t = TEXTS[language]
        return page(c, renderMessagePage(language, BASE, t.linkGoneTitle, t.linkGone), 410)
      }
      // Two forms of the same token: the .ehtoken file the agent's file handler opens, or the bare
      // assertion, for tools that load an STS token as such (one link: either form spends it).
      const bare = c.req.query('format') === 'saml'
      c.header('Content-Type', bare ? SAML_ASSERTION_CONTENT_TYPE : SSO_TOKEN_FILE.contentType)
      c.header('Content-Disposition', `attachment; filename="${bare ? download.assertionFileName : download.fileName}"`)
      c.header('Cache-Control', 'no-store')
      c.header('X-Content-Type-Options', 'nosniff')
      return c.body(bare ? download.assertionText : download.fileText, 200)
    })
  }
}

/** The IDP routes with their defaults, for `startSandbox`. */
export const idpRoutes: SandboxRoutes = createIdpRoutes()

function startSession(c: Context, sessions: SessionStore): IdpSession {
  const session = sessions.create()
  // No Secure flag: the sandbox serves plain HTTP on 127.0.0.1. Lax keeps the cookie off
  // cross-site POSTs; the path keeps it off the sandbox's SOAP endpoints.
  setCookie(c, IDP_SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Lax', path: BASE })
  return session
}

/** The session and form of a POST, or the refusal: no session, wrong CSRF token, foreign Origin. */
async function postedForm(c: Context, sessions: SessionStore): Promise<{ session: IdpSession; form: Record<string, unknown> } | Response> {
  const session = sessions.find(getCookie(c, IDP_SESSION_COOKIE))
  const origin = c.req.header('Origin')
  const form: Record<string, unknown> = await c.req.parseBody().catch(() => ({}))
  if (!session || !checkCsrf(session, form.csrf) || (origin !== undefined && origin !== new URL(c.req.url).origin)) {
    const language = session?.language ?? 'nl'
    return page(c, renderMessagePage(language, BASE, TEXTS[language].title, TEXTS[language].sessionExpired), 403)
  }
  return { session, form }
}

function badForm(c: Context, session: IdpSession): Response {
  const t = TEXTS[session.language]
  return page(c, renderMessagePage(session.language, BASE, t.title, t.sessionExpired), 400)
}

function page(c: Context, html: string, status: 200 | 400 | 403 | 410 = 200): Response {
  c.header('Content-Security-Policy', PAGE_CSP)
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('X-Frame-Options', 'DENY')
  // No Referer leaves the sandbox (nothing links out, but the download link must never leak).
  // Not no-referrer: with it Chromium sends `Origin: null` on the forms, which the check refuses.
  c.header('Referrer-Policy', 'same-origin')
  c.header('Cache-Control', 'no-store')
  return c.html(html, status)
}

function contextOf(session: IdpSession): PageContext {
  return { base: BASE, language: session.language, csrf: session.csrf }
}

function isPersonId(value: unknown): value is PersonId {
  return typeof value === 'string' && (PERSON_IDS as readonly string[]).includes(value)
}

function letter(): string {
  return String.fromCharCode(65 + randomInt(26))
}
