import type { DeskEntry } from '../../consent/prompt-desk.js'
import type { SignInPrompt } from '../../consent/prompter.js'
import { html, type Html } from '../html.js'
import { environmentName, profileName, type Strings } from '../i18n/strings.js'
import { renderCallerRows } from './caller-facts.js'

/** How long an accepted sign-in page keeps reloading to show "signed in". */
const FOLLOW_ACCEPTED_MS = 15_000

export interface SignInView {
  title: string
  body: Html
  refreshSeconds?: number
}

/**
 * The sign-in prompt (threat T10): who asks (the application, the program behind it as the OS
 * reports it, and the website behind a browser extension), for
 * which profile, in which environment, with which key; then the PIN or password field, or for a
 * pinpad reader a confirmation only. Tries left are shown before the user types (T11). After a
 * wrong PIN or password the same page asks again, saying it was wrong and how many tries are left.
 */
export function renderSignInPage(
  t: Strings,
  entry: DeskEntry & { question: { kind: 'sign-in'; prompt: SignInPrompt } },
  extra: { csrf: string; now: Date; signedIn?: { profile: string; until: string } },
): SignInView {
  const p = entry.question.prompt
  const title = p.purpose === 'renewal' ? t.signIn.titleRenewal : t.signIn.titleLogin
  const state = entry.state
  const lead = html`<p class="lead">${p.purpose === 'renewal' ? t.signIn.leadRenewal(p.client) : t.signIn.leadLogin(p.client)}</p>`
  const facts = html`<dl class="facts">
<dt>${t.signIn.application}</dt><dd>${p.client}</dd>
${renderCallerRows(t, p)}
<dt>${t.signIn.profile}</dt><dd>${profileName(t, p.profile)}</dd>
<dt>${t.signIn.environment}</dt><dd>${environmentName(t, p.environment)}</dd>
<dt>${t.signIn.key}</dt><dd>${p.keySource}</dd>
</dl>`
  switch (state.phase) {
    case 'waiting': {
      const req = p.requirement
      const refused = state.refusal
      // After a wrong try the flags the key source reported then are the news; before, the token's.
      const retriesLeft = refused ? refused.retriesLeft : req.secret === 'pin' ? req.retriesLeft : undefined
      const tries = refused
        ? html`<div class="notice error" role="alert"><strong>${refused.code === 'ERR_PIN_INCORRECT' ? t.signIn.wrongPin : t.signIn.wrongPassword}</strong>${retriesLeft === 1 ? html` ${t.signIn.triesLeftOne}` : retriesLeft === 'low' ? html` ${t.signIn.triesLeftLow}` : ''} ${t.signIn.askAgain}</div>`
        : retriesLeft === 1
          ? html`<div class="notice warning" role="alert">${t.signIn.lastTry}</div>`
          : retriesLeft === 'low'
            ? html`<div class="notice warning" role="alert">${t.signIn.fewTries}</div>`
            : ''
      const field =
        req.secret === 'none'
          ? html`<p>${t.signIn.pinpad}</p>`
          : html`<label for="secret">${req.secret === 'pin' ? t.signIn.pin : t.signIn.password}</label><input id="secret" name="secret" type="password" required autofocus autocomplete="off"${req.secret === 'pin' ? html` inputmode="numeric"` : ''}>`
      const submit = req.secret === 'none' ? t.signIn.continue : t.signIn.submit
      const body = html`${lead}${facts}${tries}<form method="post" action="/ui/prompt/${entry.id}"><input type="hidden" name="csrf" value="${extra.csrf}">${field}<p class="muted">${t.signIn.triedOnce}</p><div class="actions"><button type="submit" name="action" value="submit">${submit}</button><button type="submit" name="action" value="cancel" class="secondary" formnovalidate>${t.signIn.cancel}</button></div></form>`
      return { title, body }
    }
    case 'checking':
      return { title, body: html`${facts}<div class="notice" role="status">${t.signIn.checking}</div>`, refreshSeconds: 1 }
    case 'accepted': {
      if (extra.signedIn) return { title, body: html`${facts}<div class="notice ok" role="status">${t.signIn.signedIn(extra.signedIn.profile, extra.signedIn.until)}</div>` }
      const accepted = p.requirement.secret === 'password' ? t.signIn.acceptedPassword : t.signIn.acceptedPin
      const following = extra.now.getTime() - state.at.getTime() < FOLLOW_ACCEPTED_MS
      return {
        title,
        body: html`${facts}<div class="notice ok" role="status">${accepted}</div>${following ? '' : html`<p>${t.signIn.acceptedDone}</p>`}`,
        ...(following ? { refreshSeconds: 1 } : {}),
      }
    }
    case 'refused': {
      const message =
        state.code === 'ERR_PIN_INCORRECT'
          ? t.signIn.wrongPin
          : state.code === 'ERR_PASSWORD_INCORRECT'
            ? t.signIn.wrongPassword
            : state.code === 'ERR_PIN_LOCKED'
              ? t.signIn.pinLocked
              : t.signIn.failed(state.code)
      const tries = state.retriesLeft === 1 ? t.signIn.triesLeftOne : state.retriesLeft === 'low' ? t.signIn.triesLeftLow : ''
      return { title, body: html`${facts}<div class="notice error" role="alert"><strong>${message}</strong>${tries ? html` ${tries}` : ''}</div><p>${t.signIn.tryAgain}</p>` }
    }
    case 'cancelled':
      return { title, body: html`${facts}<div class="notice" role="status">${t.signIn.cancelled}</div>` }
    case 'withdrawn':
      return { title, body: html`${facts}<div class="notice" role="status">${t.expired.withdrawn}</div>` }
    default:
      return { title: t.expired.title, body: html`<div class="notice" role="status">${state.phase === 'expired' ? t.expired.timedOut : t.expired.text}</div>` }
  }
}
