import { createHash } from 'node:crypto'
import { escapeHtml } from './html.js'
import { TEXTS, type Language } from './texts.js'

// One stylesheet, inline, allowed by its hash: the pages need no other origin and run no script.
const STYLE = `
body{margin:0;font-family:Arial,Helvetica,sans-serif;color:#222;background:#f4f4f4}
header{background:#fff;border-bottom:4px solid #7ab800;padding:12px 24px;font-size:22px;color:#005a8c}
header b{color:#7ab800}
.sandbox{background:#fff3cd;border-bottom:1px solid #e0c36a;padding:8px 24px;font-size:14px}
main{max-width:860px;margin:24px auto;background:#fff;padding:16px 32px 24px;border:1px solid #ddd}
h1{font-size:22px;color:#005a8c}
h2{font-size:18px;margin-top:24px}
ol.steps{list-style:none;display:flex;gap:12px;padding:0;margin:0 0 16px}
ol.steps li{flex:1;border:1px solid #ccc;padding:8px;background:#fafafa;color:#777}
ol.steps li.current{border-color:#005a8c;color:#005a8c;font-weight:bold;background:#eef6fb}
ol.steps li.done{color:#222}
ol.steps small{display:block;font-weight:normal}
fieldset{border:0;padding:0;margin:0 0 16px}
label{display:block;padding:6px 0}
button,a.button{background:#005a8c;color:#fff;border:0;padding:8px 18px;font-size:15px;cursor:pointer;text-decoration:none;display:inline-block}
form.inline{display:inline}
.who{margin:12px 0}
button.link{background:none;color:#005a8c;padding:0;font-size:inherit;text-decoration:underline}
.error{border:1px solid #c00;background:#fdecea;padding:8px 16px;margin:12px 0}
.qr{display:block;margin:12px 0}
.muted{color:#666;font-size:13px}
footer{max-width:860px;margin:0 auto 24px;font-size:12px;color:#666}
`
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64')

/** The Content-Security-Policy of every IDP page: nothing but this origin's forms and the inline style. */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`

/** The three wizard steps of the I.AM fat-client SSO spec v1.0 §5.1, with what was chosen so far. */
export interface StepsState {
  current: 1 | 2 | 3
  language: Language
  identified: boolean
}

/** A complete page: the eHealth header, the sandbox banner (always: nobody should take it for the real IDP), the body. */
export function renderPage(language: Language, title: string, body: string): string {
  const t = TEXTS[language]
  return (
    `<!DOCTYPE html>\n<html lang="${language}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} (sandbox)</title><style>${STYLE}</style></head><body>` +
    `<header><b>e</b>Health <span class="muted">sandbox</span></header>` +
    `<div class="sandbox" role="note">${escapeHtml(t.sandboxBanner)}</div>` +
    `<main>${body}</main>` +
    `<footer>ehealth-agent sandbox. Not the eHealth platform and not affiliated with it.</footer>` +
    `</body></html>`
  )
}

/** The step bar: "1 Kies uw taal / Nederlands", "2 Identificatie / eID", "3 Kies uw profiel". */
export function renderSteps(base: string, s: StepsState): string {
  const t = TEXTS[s.language]
  const item = (n: 1 | 2 | 3, label: string, chosen: string, changeHref: string | undefined) => {
    const cls = n === s.current ? 'current' : n < s.current ? 'done' : ''
    const change = changeHref && n < s.current ? ` <a href="${escapeHtml(changeHref)}">${escapeHtml(t.change)}</a>` : ''
    return `<li class="${cls}">${n} ${escapeHtml(label)}${chosen ? `<small>${escapeHtml(chosen)}${change}</small>` : ''}</li>`
  }
  return (
    `<ol class="steps">` +
    item(1, t.stepLanguage, t.languageName, `${base}?step=language`) +
    item(2, t.stepIdentify, s.identified ? t.eid : '', `${base}?step=identify`) +
    item(3, t.stepProfile, '', undefined) +
    `</ol>`
  )
}
