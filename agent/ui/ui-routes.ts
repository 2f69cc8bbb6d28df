/**
 * The agent's own pages, mounted at /ui behind ui-guards.ts: the sign-in and pairing prompts of
 * the web prompter, and the admin pages the tray opens (session status, paired applications,
 * privacy log, settings, SSO token import).
 *
 * Access: GET /ui/open?t=<one-time token> starts a session (ui-access.ts) and redirects to the
 * page the link was made for; every other page needs that session's cookie, and every POST its
 * CSRF token. The PIN or password posted to a sign-in prompt goes straight to the waiting
 * prompter and is never stored, logged or put in a URL.
 */
import { Hono, type Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { isAgentError } from '../../protocol/errors.js'
import type { AuditRecord } from '../../protocol/rpc/methods.js'
import { loadConfig, saveConfig, type AgentConfig } from '../config.js'
import type { DeskAnswer, DeskEntry, PromptDesk } from '../consent/prompt-desk.js'
import type { AgentServices, CallContext } from '../rpc/method-context.js'
import { clientRevoke } from '../rpc/methods/client-revoke.js'
import { sessionImportToken } from '../rpc/methods/session-import-token.js'
import { summarizeSession } from '../session/summarize-session.js'
import { drawPng } from '../tray/draw-icon.js'
import { holderName } from './holder-name.js'
import { html, type Html } from './html.js'
import { chooseLanguage, isLanguage, type Language } from './i18n/language.js'
import { formatMoment, profileName, stringsFor, type Strings, type TimeFormat } from './i18n/strings.js'
import { renderPage, type PageFrame } from './page-layout.js'
import { renderApprovalPage } from './pages/approval-page.js'
import { AUDIT_LIMITS, renderAuditPage, type AuditFilters } from './pages/audit-page.js'
import { renderClientsPage } from './pages/clients-page.js'
import { renderImportPage } from './pages/import-page.js'
import { renderPairingPage } from './pages/pairing-page.js'
import { renderSettingsPage } from './pages/settings-page.js'
import { renderSignInPage } from './pages/sign-in-page.js'
import { renderStatusPage } from './pages/status-page.js'
import { parseLocalDateTime } from './parse-local-date-time.js'
import { readSettingsForm, removeLockedFields, SETTINGS_FIELDS } from './settings-form.js'
import { applyPolicy, findSettingLock, refuseWeakerUsePolicy } from '../../protocol/policy/policy-locks.js'
import { UI_STYLE } from './style.js'
import type { AdminPage, UiAccess, UiSession } from './ui-access.js'

export interface UiRoutesOptions {
  access: UiAccess
  /** The web prompter's prompts; without one, prompt links are never made. */
  desk?: PromptDesk | undefined
  services: AgentServices
  /** The settings file the settings page reads and writes. */
  configFile: string
  /** The agent's port: cookies are per host, not per port, so their names carry it. */
  port: number
  /** From the system locale (agent/main.ts). */
  systemLanguage: Language | undefined
  /** From the settings file at start-up; the settings page updates it. */
  settingsLanguage: Language | undefined
  /** For times on the pages; undefined: the system's. */
  timeZone?: string | undefined
  /** The settings file was saved (the tray follows a language change). */
  onSettingsSaved?: (config: AgentConfig) => void
}

export interface UiRoutes {
  /** Mount at /ui. */
  routes: Hono
  /** The language of pages and tray when no page cookie picks one. */
  language(): Language
  /** The refusal page, for ui-guards.ts. */
  renderRefusal(status: number): string
}

/** What a page caller is, for the methods the pages reuse (revoke, import): the local user. */
const PAGE_CALLER = { id: 'local', name: 'eHealth agent (settings pages)', scopes: { methods: ['*'], services: ['*'] } }
const MAX_SECRET = 1024
const BACK_PATH = /^\/ui\/[A-Za-z0-9/_.~%?=&+-]*$/
// Neutral: a green tick on a "wrong PIN" page would say the opposite of the page.
const ICON = drawPng('signed-out')

export function createUiRoutes(options: UiRoutesOptions): UiRoutes {
  const { access, services } = options
  const sessionCookie = `ehagent_ui_${options.port}`
  const languageCookie = `ehagent_lang_${options.port}`
  let settingsLanguage = options.settingsLanguage
  const defaultLanguage = (): Language => chooseLanguage(undefined, settingsLanguage, options.systemLanguage)
  const ctx: CallContext = { caller: PAGE_CALLER, agent: services }

  const languageOf = (c: Context): Language => chooseLanguage(getCookie(c, languageCookie), settingsLanguage, options.systemLanguage)
  const timeOf = (language: Language): TimeFormat => ({ language, timeZone: options.timeZone })

  function page(c: Context, frame: Omit<PageFrame, 'language' | 'strings'> & { language: Language }, body: Html, status: 200 | 400 | 403 | 404 | 500 = 200): Response {
    const t = stringsFor(frame.language)
    return c.html(renderPage({ ...frame, strings: t }, body), status)
  }

  function refusal(c: Context, status: 403 | 404): Response {
    const language = languageOf(c)
    const t = stringsFor(language)
    return page(c, { language, title: status === 404 ? t.refused.notFound : t.refused.title }, status === 404 ? html`` : html`<p>${t.refused.text}</p>`, status)
  }

  /** The browser's session, or undefined; `admin` also requires the admin grant. */
  function sessionOf(c: Context, need: { admin?: boolean; prompt?: string }): UiSession | undefined {
    const session = access.session(getCookie(c, sessionCookie))
    if (!session) return undefined
    if (need.admin && !session.admin) return undefined
    if (need.prompt !== undefined && !session.prompts.has(need.prompt)) return undefined
    return session
  }

  /** Form fields of a POST whose CSRF token matches the session's; undefined otherwise. */
  async function formOf(c: Context, session: UiSession): Promise<Record<string, string | File> | undefined> {
    let form: Record<string, string | File>
    try {
      form = (await c.req.parseBody()) as Record<string, string | File>
    } catch {
      return undefined
    }
    return access.checkCsrf(session, form.csrf) ? form : undefined
  }

  function takeFlash(session: UiSession): UiSession['flash'] {
    const flash = session.flash
    delete session.flash
    return flash
  }

  function refuseLink(c: Context, reason: string): Response {
    services.audit.record({ event: 'rejected', method: c.req.path.slice(0, 64), outcome: 'rejected', errorCode: reason })
    return refusal(c, 403)
  }

  const ui = new Hono()

  ui.get('/style.css', (c) => c.body(UI_STYLE, 200, { 'content-type': 'text/css; charset=utf-8' }))
  ui.get('/icon.png', (c) => c.body(new Uint8Array(ICON), 200, { 'content-type': 'image/png' }))

  ui.get('/open', (c) => {
    const redeemed = access.redeem(c.req.query('t'), getCookie(c, sessionCookie))
    if (!redeemed) return refuseLink(c, 'ui-link-invalid')
    setCookie(c, sessionCookie, redeemed.sessionId, { httpOnly: true, sameSite: 'Strict', path: '/ui', maxAge: access.sessionIdleSeconds })
    const target = redeemed.grant.kind === 'admin' ? `/ui/admin/${redeemed.grant.page}` : `/ui/prompt/${encodeURIComponent(redeemed.grant.promptId)}`
    // 303 and a clean URL: the one-time token leaves the address bar and the history's last entry.
    return c.redirect(target, 303)
  })

  ui.get('/prompt/:id', (c) => {
    const id = c.req.param('id')
    const session = sessionOf(c, { prompt: id })
    if (!session) return refusal(c, 403)
    const language = languageOf(c)
    const t = stringsFor(language)
    const entry = options.desk?.get(id)
    const back = `/ui/prompt/${encodeURIComponent(id)}`
    if (!entry) return page(c, { language, title: t.expired.title, csrf: session.csrf, back }, html`<div class="notice" role="status">${t.expired.text}</div>`)
    if (entry.question.kind === 'pairing') {
      const view = renderPairingPage(t, entry as DeskEntry & { question: { kind: 'pairing' } }, session.csrf)
      return page(c, { language, title: view.title, csrf: session.csrf, back }, view.body)
    }
    if (entry.question.kind === 'approval') {
      const view = renderApprovalPage(t, entry as DeskEntry & { question: { kind: 'approval' } }, session.csrf)
      return page(c, { language, title: view.title, csrf: session.csrf, back }, view.body)
    }
    const prompt = entry.question.prompt
    const token = services.session.current()
    const signedIn =
      token && token.profile.id === prompt.profile.id
        ? { profile: profileName(t, token.profile), until: formatMoment(token.assertion.conditions.notOnOrAfter, timeOf(language), services.clock.now()) }
        : undefined
    const view = renderSignInPage(t, entry as DeskEntry & { question: { kind: 'sign-in' } }, { csrf: session.csrf, now: services.clock.now(), ...(signedIn ? { signedIn } : {}) })
    return page(c, { language, title: view.title, csrf: session.csrf, back, ...(view.refreshSeconds ? { refreshSeconds: view.refreshSeconds } : {}) }, view.body)
  })

  ui.post('/prompt/:id', async (c) => {
    const id = c.req.param('id')
    const session = sessionOf(c, { prompt: id })
    if (!session) return refusal(c, 403)
    const form = await formOf(c, session)
    if (!form) return refusal(c, 403)
    const entry = options.desk?.get(id)
    if (entry) {
      const answer = readAnswer(entry, form)
      if (answer) options.desk!.answer(id, answer)
    }
    return c.redirect(`/ui/prompt/${encodeURIComponent(id)}`, 303)
  })

  ui.post('/language', async (c) => {
    const session = access.session(getCookie(c, sessionCookie))
    if (!session) return refusal(c, 403)
    const form = await formOf(c, session)
    if (!form) return refusal(c, 403)
    if (isLanguage(form.lang)) setCookie(c, languageCookie, form.lang, { httpOnly: true, sameSite: 'Strict', path: '/ui', maxAge: 365 * 24 * 3600 })
    const back = typeof form.back === 'string' && BACK_PATH.test(form.back) ? form.back : '/ui/admin/status'
    return c.redirect(back, 303)
  })

  ui.get('/admin', (c) => c.redirect('/ui/admin/status', 303))

  type Built = { body: Html; status?: 200 | 400 | 403 }

  /** An admin page: session with the admin grant, language, flash, navigation. */
  async function adminPage(c: Context, nav: AdminPage, build: (t: Strings, session: UiSession, language: Language) => Promise<Built> | Built): Promise<Response> {
    const session = sessionOf(c, { admin: true })
    if (!session) return refusal(c, 403)
    const language = languageOf(c)
    const t = stringsFor(language)
    const { body, status } = await build(t, session, language)
    const url = new URL(c.req.url)
    const titles: Record<AdminPage, string> = { status: t.status.title, clients: t.clients.title, audit: t.audit.title, settings: t.settings.title, import: t.import.title }
    return page(c, { language, title: titles[nav], nav, csrf: session.csrf, back: url.pathname + url.search, flash: takeFlash(session) }, body, status ?? 200)
  }

  ui.get('/admin/status', (c) =>
    adminPage(c, 'status', (t, session, language) => {
      const token = services.session.current()
      return {
        body: renderStatusPage(t, summarizeSession(services.session, services.environment.label), {
          csrf: session.csrf,
          name: token ? holderName(token.assertion) : undefined,
          now: services.clock.now(),
          time: timeOf(language),
        }),
      }
    }),
  )

  ui.post('/admin/sign-out', async (c) => {
    const session = sessionOf(c, { admin: true })
    if (!session || !(await formOf(c, session))) return refusal(c, 403)
    await services.session.logout('user')
    session.flash = { kind: 'ok', text: stringsFor(languageOf(c)).status.signedOutNow }
    return c.redirect('/ui/admin/status', 303)
  })

  ui.get('/admin/clients', (c) => adminPage(c, 'clients', (t, session, language) => ({ body: renderClientsPage(t, services.clients.list(), { csrf: session.csrf, time: timeOf(language), ...minimumUsePolicy() }) })))

  ui.post('/admin/clients/revoke', async (c) => {
    const session = sessionOf(c, { admin: true })
    if (!session) return refusal(c, 403)
    const form = await formOf(c, session)
    if (!form) return refusal(c, 403)
    const t = stringsFor(languageOf(c))
    const clientId = typeof form.clientId === 'string' ? form.clientId.slice(0, 64) : ''
    const client = services.clients.list().find((x) => x.clientId === clientId)
    const { revoked } = client ? await clientRevoke.handle({ clientId }, ctx) : { revoked: false }
    session.flash = revoked && client ? { kind: 'ok', text: t.clients.revoked(client.name) } : { kind: 'error', text: t.clients.notFound }
    return c.redirect('/ui/admin/clients', 303)
  })

  ui.post('/admin/clients/policy', async (c) => {
    const session = sessionOf(c, { admin: true })
    if (!session) return refusal(c, 403)
    const form = await formOf(c, session)
    if (!form) return refusal(c, 403)
    const t = stringsFor(languageOf(c))
    const clientId = typeof form.clientId === 'string' ? form.clientId.slice(0, 64) : ''
    const policy = form.usePolicy
    const client = services.clients.list().find((x) => x.clientId === clientId)
    const valid = policy === 'silent' || policy === 'notify' || policy === 'ask'
    // Below the admin policy's minimum: refused (a forced submit; the page does not offer it).
    const weaker = client && valid ? refuseWeakerUsePolicy(policy, services.policy.current) : undefined
    if (client && weaker) {
      services.audit.record({ event: 'client.policy', client: { id: client.clientId, name: client.name }, method: String(policy), outcome: 'rejected', errorCode: weaker.code })
      const minimum = services.policy.policy.minimumUsePolicy!
      session.flash = { kind: 'error', text: t.callers.policyTooWeak(t.callers.policies[minimum] ?? minimum, services.policy.source) }
      return c.redirect('/ui/admin/clients', 303)
    }
    const changed = client && valid ? await services.clients.setUsePolicy(clientId, policy) : false
    if (changed && client) services.audit.record({ event: 'client.policy', client: { id: client.clientId, name: client.name }, method: String(policy), outcome: 'ok' })
    session.flash = changed && client ? { kind: 'ok', text: t.callers.policyChanged(client.name) } : { kind: 'error', text: t.clients.notFound }
    return c.redirect('/ui/admin/clients', 303)
  })

  ui.post('/admin/clients/withdraw-origin', async (c) => {
    const session = sessionOf(c, { admin: true })
    if (!session) return refusal(c, 403)
    const form = await formOf(c, session)
    if (!form) return refusal(c, 403)
    const t = stringsFor(languageOf(c))
    const clientId = typeof form.clientId === 'string' ? form.clientId.slice(0, 64) : ''
    const origin = typeof form.origin === 'string' ? form.origin.slice(0, 2048) : ''
    const client = services.clients.list().find((x) => x.clientId === clientId)
    const withdrawn = client ? await services.clients.revokeOrigin(clientId, origin) : false
    if (withdrawn && client) services.audit.record({ event: 'origin.withdraw', client: { id: client.clientId, name: client.name }, origin, outcome: 'ok' })
    session.flash = withdrawn ? { kind: 'ok', text: t.callers.originWithdrawn(origin) } : { kind: 'error', text: t.clients.notFound }
    return c.redirect('/ui/admin/clients', 303)
  })

  ui.get('/admin/audit', (c) =>
    adminPage(c, 'audit', async (t, _session, language) => {
      const q = (name: string) => (c.req.query(name) ?? '').slice(0, 64)
      const outcome = q('outcome')
      const limit = Number(q('limit'))
      const filters: AuditFilters = {
        method: q('method').trim(),
        outcome: outcome === 'ok' || outcome === 'error' || outcome === 'rejected' ? outcome : '',
        since: q('since'),
        limit: (AUDIT_LIMITS as readonly number[]).includes(limit) ? limit : 100,
      }
      const since = filters.since === '' ? undefined : parseLocalDateTime(filters.since, options.timeZone)
      const records: AuditRecord[] = await services.audit.list({
        limit: filters.limit,
        ...(filters.method ? { method: filters.method } : {}),
        ...(filters.outcome ? { outcome: filters.outcome } : {}),
        ...(since ? { from: since.toISOString() } : {}),
      })
      return { body: renderAuditPage(t, records, { filters, sinceInvalid: filters.since !== '' && !since, time: timeOf(language) }) }
    }),
  )

  /** The admin policy's minimum use policy now, for the clients page. */
  const minimumUsePolicy = () => {
    const level = services.policy.policy.minimumUsePolicy
    return level !== undefined ? { minimumUsePolicy: { level, source: services.policy.source } } : {}
  }

  /** The settings page's fields the admin policy fixes now, and the policy's place. */
  const lockedFields = () => ({
    fields: new Set(SETTINGS_FIELDS.filter((f) => findSettingLock(services.policy.policy, f.name) !== undefined).map((f) => f.name)),
    source: services.policy.source,
  })

  ui.get('/admin/settings', (c) =>
    adminPage(c, 'settings', async (t, session) => {
      const config = await loadConfig(options.configFile).catch((err: unknown) => err as Error)
      if (config instanceof Error) return { body: html`<div class="notice error" role="alert">${config.message}</div>` }
      return { body: renderSettingsPage(t, applyPolicy(config, services.policy.policy), { csrf: session.csrf, locked: lockedFields(), inEffect: { port: options.port, environment: services.environment.id } }) }
    }),
  )

  ui.post('/admin/settings', async (c) => {
    const session = sessionOf(c, { admin: true })
    if (!session) return refusal(c, 403)
    const form = await formOf(c, session)
    if (!form) return refusal(c, 403)
    const t = stringsFor(languageOf(c))
    const current = await loadConfig(options.configFile).catch((err: unknown) => err as Error)
    if (current instanceof Error) return adminPage(c, 'settings', () => ({ body: html`<div class="notice error" role="alert">${current.message}</div>`, status: 400 }))
    // What the admin's policy fixes is not the user's to change (ERR_SETTING_LOCKED over the API).
    const locked = lockedFields()
    const effective = applyPolicy(current, services.policy.policy)
    const unlocked = removeLockedFields(form, effective, locked.fields)
    if (unlocked.refused.length > 0) {
      services.audit.record({ event: 'settings.save', client: { name: PAGE_CALLER.name }, outcome: 'rejected', errorCode: 'ERR_SETTING_LOCKED' })
      const errors = Object.fromEntries(unlocked.refused.map((name) => [name, t.settings.lockedBy(locked.source)]))
      const names = unlocked.refused.map((name) => t.settings.fields[name] ?? name).join(', ')
      const body = html`<div class="notice error" role="alert">${t.settings.lockedNotSaved(names)}</div>${renderSettingsPage(t, effective, { csrf: session.csrf, errors, locked })}`
      return adminPage(c, 'settings', () => ({ body, status: 403 }))
    }
    const result = readSettingsForm(unlocked.form, current, t.settings)
    if (!result.ok) {
      const body = html`<div class="notice error" role="alert">${t.settings.notSaved}</div>${renderSettingsPage(t, effective, { csrf: session.csrf, values: result.values, errors: result.errors, locked, inEffect: { port: options.port, environment: services.environment.id } })}`
      return adminPage(c, 'settings', () => ({ body, status: 400 }))
    }
    await saveConfig(options.configFile, result.config)
    settingsLanguage = result.config.language
    services.audit.record({ event: 'settings.save', client: { name: PAGE_CALLER.name }, outcome: 'ok' })
    options.onSettingsSaved?.(result.config)
    // Said in the language just saved, unless a page cookie overrides it.
    const after = stringsFor(languageOf(c))
    const restart = SETTINGS_FIELDS.filter((f) => f.restart && result.changed.includes(f.name)).map((f) => after.settings.fields[f.name] ?? f.name)
    session.flash = { kind: 'ok', text: restart.length > 0 ? after.settings.restartNeeded(restart.join(', ')) : after.settings.saved }
    return c.redirect('/ui/admin/settings', 303)
  })

  ui.get('/admin/import', (c) => adminPage(c, 'import', (t, session) => ({ body: renderImportPage(t, { csrf: session.csrf, idpSso: services.environment.idpSso }) })))

  ui.post('/admin/import', async (c) => {
    const session = sessionOf(c, { admin: true })
    if (!session) return refusal(c, 403)
    const form = await formOf(c, session)
    if (!form) return refusal(c, 403)
    const language = languageOf(c)
    const t = stringsFor(language)
    const file = form.token
    const text = typeof file === 'string' ? file : file instanceof File ? await file.text() : ''
    if (text.trim() === '') {
      session.flash = { kind: 'error', text: t.import.noFile }
      return c.redirect('/ui/admin/import', 303)
    }
    try {
      const status = await sessionImportToken.handle({ token: text }, ctx)
      const until = status.token ? formatMoment(new Date(status.token.notOnOrAfter), timeOf(language), services.clock.now()) : ''
      session.flash = { kind: 'ok', text: t.import.imported(status.token ? profileName(t, status.token.profile) : '', until) }
      return c.redirect('/ui/admin/status', 303)
    } catch (err) {
      // The error's own words (already free of paths, PINs and bodies: AgentError's contract).
      session.flash = { kind: 'error', text: t.import.failed(isAgentError(err) ? `${err.message} (${err.code})` : 'ERR_INTERNAL') }
      return c.redirect('/ui/admin/import', 303)
    }
  })

  ui.all('*', (c) => refusal(c, 404))

  ui.onError((err, c) => {
    void err
    services.audit.record({ event: 'internal-error', method: c.req.path.slice(0, 64), outcome: 'error', errorCode: 'ERR_INTERNAL' })
    const language = languageOf(c)
    return page(c, { language, title: stringsFor(language).signIn.failed('ERR_INTERNAL') }, html``, 500)
  })

  return {
    routes: ui,
    language: defaultLanguage,
    renderRefusal(status) {
      const language = defaultLanguage()
      const t = stringsFor(language)
      return renderPage({ language, strings: t, title: status === 404 ? t.refused.notFound : t.refused.title }, html`<p>${t.refused.text}</p>`)
    },
  }
}

/** The answer a submitted prompt form gives, if it fits the prompt. */
function readAnswer(entry: DeskEntry, form: Record<string, string | File>): DeskAnswer | undefined {
  const action = form.action
  if (entry.question.kind === 'pairing') {
    const policy = form.usePolicy
    if (action === 'approve') return policy === 'silent' || policy === 'notify' || policy === 'ask' ? { kind: 'approve', usePolicy: policy } : { kind: 'approve' }
    if (action === 'deny') return { kind: 'deny' }
    return undefined
  }
  if (entry.question.kind === 'approval') {
    if (action === 'approve') return { kind: 'approve' }
    if (action === 'deny') return { kind: 'deny' }
    return undefined
  }
  if (action === 'cancel') return { kind: 'cancel' }
  if (action !== 'submit') return undefined
  if (entry.question.prompt.requirement.secret === 'none') return { kind: 'confirm' }
  const secret = form.secret
  if (typeof secret !== 'string' || secret === '' || secret.length > MAX_SECRET) return undefined
  return { kind: 'secret', secret }
}
