import type { Person } from '../directory-data.js'
import type { ProfileChoice } from '../directory.js'
import { escapeHtml } from './html.js'
import { renderPage, renderSteps } from './layout.js'
import type { SsoResult } from './session-store.js'
import { LANGUAGES, profileName, TEXTS, type Language } from './texts.js'

/** What every wizard page needs: where the wizard lives, the language, the form token. */
export interface PageContext {
  /** The wizard's path, `SANDBOX_PATHS.idpSso`. */
  base: string
  language: Language
  csrf: string
}

/** Step 1: the language, Dutch preselected (the screens of the I.AM fat-client SSO spec v1.0 §5.1). */
export function renderLanguagePage(ctx: PageContext): string {
  const t = TEXTS[ctx.language]
  const options = LANGUAGES.map(
    (l) => `<label><input type="radio" name="language" value="${l}"${l === ctx.language ? ' checked' : ''}> ${escapeHtml(TEXTS[l].languageName)}</label>`,
  ).join('')
  return renderPage(
    ctx.language,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>` +
      renderSteps(ctx.base, { current: 1, language: ctx.language, identified: false }) +
      `<h2>${escapeHtml(t.step)} 1. <strong>${escapeHtml(t.stepLanguage)}</strong></h2>` +
      form(ctx, 'language', `<fieldset><legend>${escapeHtml(t.chooseLanguage)}</legend>${options}</fieldset><button type="submit">${escapeHtml(t.next)}</button>`),
  )
}

/** Step 2: identification. A real IDP reads the eID; the sandbox lets the user pick whose card. */
export function renderIdentifyPage(ctx: PageContext, people: readonly Person[]): string {
  const t = TEXTS[ctx.language]
  const options = people
    .map(
      (p, i) =>
        `<label><input type="radio" name="person" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}> ` +
        `${escapeHtml(`${p.givenName} ${p.surname}`)} <span class="muted">(${escapeHtml(p.id)}, SSIN ${escapeHtml(p.ssin)})</span></label>`,
    )
    .join('')
  return renderPage(
    ctx.language,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>` +
      renderSteps(ctx.base, { current: 2, language: ctx.language, identified: false }) +
      `<h2>${escapeHtml(t.step)} 2. <strong>${escapeHtml(t.stepIdentify)}</strong></h2>` +
      `<p>${escapeHtml(t.identifyIntro)}</p><p class="muted">${escapeHtml(t.identifySandbox)}</p>` +
      form(ctx, 'identify', `<fieldset>${options}</fieldset><button type="submit">${escapeHtml(t.identifyButton)}</button>`),
  )
}

/**
 * Step 3: the profile, among those the directory allows the person. With `failure`, the spec's
 * refusal for a person without an active eHealth certificate, above the same form.
 */
export function renderProfilePage(ctx: PageContext, person: Person, choices: readonly ProfileChoice[], failure?: { reference: string }): string {
  const t = TEXTS[ctx.language]
  const options = choices
    .map(
      (c, i) =>
        `<label><input type="radio" name="choice" value="${i}"${i === 0 ? ' checked' : ''}> ${escapeHtml(profileName(ctx.language, c.profile))}` +
        ` <span class="muted">${escapeHtml(c.label)}</span></label>`,
    )
    .join('')
  const error = failure
    ? `<div class="error" role="alert"><p>${escapeHtml(t.noCertificate)}</p>` +
      `<p>! ${escapeHtml(t.noCertificateHelp)} <strong class="reference">${escapeHtml(failure.reference)}</strong>.</p></div>`
    : ''
  return renderPage(
    ctx.language,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>` +
      renderSteps(ctx.base, { current: 3, language: ctx.language, identified: true }) +
      `<h2>${escapeHtml(t.step)} 3. <strong>${escapeHtml(t.stepProfile)}</strong></h2>` +
      error +
      identified(ctx, `${person.givenName} ${person.surname}`) +
      form(ctx, 'profile', `<fieldset><legend>${escapeHtml(t.signInAs)}</legend>${options}</fieldset><button type="submit">${escapeHtml(t.signIn)}</button>`),
  )
}

/**
 * Steps 4-5 (I.AM fat-client SSO spec v1.0 §5.2): the token is ready; the one-time link and, on
 * request, its QR code.
 */
export function renderResultPage(ctx: PageContext, person: Person, result: SsoResult, downloadHref: string, qrSvg: string | undefined): string {
  const t = TEXTS[ctx.language]
  const profile = profileName(ctx.language, result.profile)
  const until = new Intl.DateTimeFormat(`${ctx.language}-BE`, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Brussels' }).format(result.notOnOrAfter)
  const qr = qrSvg ? `<figure>${qrSvg}<figcaption>${escapeHtml(t.qrHelp)}</figcaption></figure>` : ''
  return renderPage(
    ctx.language,
    t.resultTitle,
    `<h1>${escapeHtml(t.resultTitle)}</h1>` +
      `<h2><strong>${escapeHtml(t.installTitle)}</strong></h2>` +
      identified(ctx, `${person.givenName} ${person.surname} (${profile})`) +
      `<p>${escapeHtml(t.canInstall)} <strong>${escapeHtml(profile)}</strong>. <a href="${escapeHtml(ctx.base)}?qr=1">${escapeHtml(t.showQr)}</a></p>` +
      `<p><a class="button" href="${escapeHtml(downloadHref)}">${escapeHtml(t.install)}</a></p>` +
      `<p class="muted">${escapeHtml(t.asIssuedLead)} <a href="${escapeHtml(downloadHref)}?format=saml">${escapeHtml(t.asIssued)}</a></p>` +
      qr +
      `<p class="muted">${escapeHtml(t.tokenReference)} <code>${escapeHtml(result.assertionId)}</code>, ${escapeHtml(t.validUntil)} ${escapeHtml(until)}.</p>` +
      `<p>${escapeHtml(t.otherProfile)} <a href="${escapeHtml(ctx.base)}?step=profile">${escapeHtml(t.chooseOtherProfile)}</a></p>`,
  )
}

/** A short page with a message and a way back to the start (spent link, expired session). */
export function renderMessagePage(language: Language, base: string, title: string, message: string): string {
  const t = TEXTS[language]
  return renderPage(language, title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p><p><a href="${escapeHtml(base)}">${escapeHtml(t.startAgain)}</a></p>`)
}

/** "U bent geïdentificeerd als: <name> (Afmelden)", the sign-out a POST like every change. */
function identified(ctx: PageContext, who: string): string {
  const t = TEXTS[ctx.language]
  return (
    // A div, not a p: a form inside a p would close the paragraph (HTML parsing rules).
    `<div class="who">${escapeHtml(t.identifiedAs)} <strong class="identified">${escapeHtml(who)}</strong> (` +
    `<form class="inline" method="post" action="${escapeHtml(ctx.base)}/logout"><input type="hidden" name="csrf" value="${escapeHtml(ctx.csrf)}">` +
    `<button class="link" type="submit">${escapeHtml(t.logout)}</button></form>)</div>`
  )
}

function form(ctx: PageContext, action: string, inner: string): string {
  return `<form method="post" action="${escapeHtml(ctx.base)}/${action}"><input type="hidden" name="csrf" value="${escapeHtml(ctx.csrf)}">${inner}</form>`
}
