import type { Person } from '../directory-data.js'
import type { ProfileChoice } from '../directory.js'
import { escapeHtml } from '../idp/html.js'
import { renderPage } from '../idp/layout.js'
import { profileName } from '../idp/texts.js'
import type { AuthMethod } from './iam-connect-provider.js'
import type { OidcClient } from './oidc-clients.js'

/**
 * The pages of the sandbox IAM Connect, in English, server-rendered without script, in the IDP
 * pages' layout (sandbox banner, one inline stylesheet allowed by hash). Every form carries the
 * browser session's CSRF token and the id of the authorization request it answers.
 * `data-step` names the page for scripts that answer it (the demo's page walker).
 */

/** What every form needs. */
export interface FormContext {
  /** `<issuer path>/login-actions`. */
  actions: string
  csrf: string
  requestId: string
}

const METHOD_LABELS: Record<AuthMethod, string> = {
  itsme: 'itsme (app on your phone)',
  eid: 'eID card and card reader',
  totp: 'Security code from an authenticator app (TOTP)',
}

export function describeMethod(method: AuthMethod): string {
  return METHOD_LABELS[method]
}

/** I.AM IDP v1.0, use case ATH-UC-11-BF step 7: "The user selects the authentication way (i.e. itsme, eID, TOTP)". */
export function renderLoginPage(ctx: FormContext, client: OidcClient, people: readonly Person[], error?: string): string {
  const methods = (Object.keys(METHOD_LABELS) as AuthMethod[])
    .map((m, i) => `<label><input type="radio" name="method" value="${m}"${i === 0 ? ' checked' : ''}> ${escapeHtml(METHOD_LABELS[m])}</label>`)
    .join('')
  const persons = people
    .map(
      (p, i) =>
        `<label><input type="radio" name="person" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}> ` +
        `${escapeHtml(`${p.givenName} ${p.surname}`)} <span class="muted">(${escapeHtml(p.id)}, SSIN ${escapeHtml(p.ssin)})</span></label>`,
    )
    .join('')
  return page(
    'Sign in to eHealth',
    'login',
    `<h1>Sign in to eHealth</h1>` +
      `<p>to continue to <strong class="client">${escapeHtml(client.name)}</strong>.</p>` +
      alert(error) +
      form(
        ctx,
        'authenticate',
        `<fieldset><legend>How do you want to sign in?</legend>${methods}</fieldset>` +
          `<p><label>Security code (TOTP only; the sandbox accepts any 6 digits) ` +
          `<input type="text" name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="6"></label></p>` +
          `<fieldset><legend>Who are you? This is the sandbox: nothing is verified, pick a test person.</legend>${persons}</fieldset>` +
          `<button type="submit">Sign in</button>`,
      ),
  )
}

/** I.AM IDP v1.0, use case ATH-UC-11-BF step 9: "The user selects a new profile". */
export function renderProfilePage(ctx: FormContext, person: Person, method: AuthMethod, choices: readonly ProfileChoice[], hint: string | undefined): string {
  const preselected = Math.max(0, hint === undefined ? 0 : choices.findIndex((c) => c.profile === hint))
  const options = choices
    .map(
      (c, i) =>
        `<label><input type="radio" name="choice" value="${i}" data-profile="${escapeHtml(c.profile)}"${i === preselected ? ' checked' : ''}> ` +
        `${escapeHtml(profileName('en', c.profile))} <span class="muted">${escapeHtml(c.label)}</span></label>`,
    )
    .join('')
  return page(
    'Choose your profile',
    'profile',
    `<h1>Choose your profile</h1>` +
      `<div class="who">Signed in as <strong class="identified">${escapeHtml(`${person.givenName} ${person.surname}`)}</strong> ` +
      `<span class="muted">with ${escapeHtml(METHOD_LABELS[method])}</span></div>` +
      form(ctx, 'profile', `<fieldset><legend>I want to sign in as:</legend>${options}</fieldset><button type="submit">Continue</button>`) +
      `<p class="muted">To change profile later, sign out of eHealth (global logout) and sign in again.</p>`,
  )
}

/**
 * IAM eXchange Annex A §1.4: on first use, the user learns which platform asks and what it will do
 * with the access, and accepts or refuses, inside the provider's own pages.
 */
export function renderConsentPage(ctx: FormContext, client: OidcClient, person: Person, choice: ProfileChoice): string {
  return page(
    'Allow access?',
    'consent',
    `<h1>Allow access?</h1>` +
      `<p><strong class="client">${escapeHtml(client.name)}</strong> asks to act in your name at eHealth.</p>` +
      `<dl>` +
      `<dt>You</dt><dd>${escapeHtml(`${person.givenName} ${person.surname}`)}, SSIN ${escapeHtml(person.ssin)}</dd>` +
      `<dt>Profile</dt><dd class="profile">${escapeHtml(profileName('en', choice.profile))}: ${escapeHtml(choice.label)}</dd>` +
      `<dt>What it will do</dt><dd>${escapeHtml(client.purpose)}</dd>` +
      `</dl>` +
      `<p class="muted">You are asked once for this application. This sandbox forgets your answer when it restarts.</p>` +
      form(
        ctx,
        'consent',
        `<button type="submit" name="decision" value="accept">Allow</button> ` + `<button type="submit" name="decision" value="refuse">Refuse</button>`,
      ),
  )
}

/** A refusal shown to the user instead of a redirect (unknown client, expired request). */
export function renderErrorPage(title: string, message: string): string {
  return page(title, 'error', `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>`)
}

/** After an end-session request (OpenID Connect RP-Initiated Logout 1.0). */
export function renderSignedOutPage(): string {
  return page('Signed out', 'signed-out', `<h1>Signed out</h1><p role="status">You are signed out of eHealth IAM Connect. To use eHealth again, sign in again.</p>`)
}

function page(title: string, step: string, body: string): string {
  return renderPage('en', `eHealth IAM Connect: ${title}`, `<div data-step="${step}">${body}</div>`)
}

function alert(message: string | undefined): string {
  return message ? `<div class="error" role="alert">${escapeHtml(message)}</div>` : ''
}

function form(ctx: FormContext, action: string, inner: string): string {
  return (
    `<form method="post" action="${escapeHtml(`${ctx.actions}/${action}`)}">` +
    `<input type="hidden" name="csrf" value="${escapeHtml(ctx.csrf)}">` +
    `<input type="hidden" name="request" value="${escapeHtml(ctx.requestId)}">${inner}</form>`
  )
}
