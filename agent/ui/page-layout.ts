import { html, type Html } from './html.js'
import { LANGUAGE_NAMES, LANGUAGES, type Language } from './i18n/language.js'
import type { Strings } from './i18n/strings.js'
import type { AdminPage } from './ui-access.js'

/** What every page needs besides its body. */
export interface PageFrame {
  language: Language
  strings: Strings
  title: string
  /** The admin page this is (shows the admin navigation), if any. */
  nav?: AdminPage
  /** For the language switcher's form; without it (refusals) there is no switcher. */
  csrf?: string
  /** Where the switcher comes back to: this page's path and query. */
  back?: string
  flash?: { kind: 'ok' | 'error'; text: string } | undefined
  /** Reload every N seconds (a prompt being checked); no script needed. */
  refreshSeconds?: number
}

const NAV_ORDER: readonly AdminPage[] = ['status', 'clients', 'audit', 'settings', 'import']

/** The full document around a page body. */
export function renderPage(frame: PageFrame, body: Html): string {
  const t = frame.strings
  const refresh = frame.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${frame.refreshSeconds}">`
  const nav =
    frame.nav === undefined
      ? ''
      : html`<nav>${NAV_ORDER.map((page) => html`<a href="/ui/admin/${page}"${page === frame.nav ? html` class="current" aria-current="page"` : ''}>${t.nav[page]}</a>`)}</nav>`
  const switcher =
    frame.csrf === undefined
      ? ''
      : html`<form class="language" method="post" action="/ui/language"><span>${t.language}:</span><input type="hidden" name="csrf" value="${frame.csrf}"><input type="hidden" name="back" value="${frame.back ?? '/ui/admin/status'}">${LANGUAGES.map(
          (l) => html`<button type="submit" name="lang" value="${l}" lang="${l}" aria-pressed="${l === frame.language ? 'true' : 'false'}">${LANGUAGE_NAMES[l]}</button>`,
        )}</form>`
  const flash = frame.flash ? html`<div class="notice ${frame.flash.kind}" role="status">${frame.flash.text}</div>` : ''
  return (
    '<!DOCTYPE html>\n' +
    html`<html lang="${frame.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}<title>${frame.title} – ${t.appName}</title><link rel="stylesheet" href="/ui/style.css"><link rel="icon" href="/ui/icon.png"></head><body><header><img src="/ui/icon.png" alt=""><span class="name">${t.appName}</span><span class="where">127.0.0.1</span></header>${nav}${switcher}<main><h1>${frame.title}</h1>${flash}${body}</main><footer>${t.localNote}</footer></body></html>`
      .value
  )
}
