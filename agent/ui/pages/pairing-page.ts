import type { DeskEntry } from '../../consent/prompt-desk.js'
import type { PairingPrompt } from '../../consent/prompter.js'
import { raiseUsePolicy } from '../../../protocol/policy/policy-locks.js'
import { html, type Html } from '../html.js'
import type { Strings } from '../i18n/strings.js'
import { renderCallerRows, renderPairingCode } from './caller-facts.js'

/** The use policies, in the order the page offers them. */
const POLICIES = ['silent', 'notify', 'ask'] as const

/**
 * The pairing prompt (threats T4, T8): the name the application gave itself, the program behind
 * it as the OS reports it (executable, pid, user, command line: the name alone proves nothing),
 * the pairing code the application shows too, what it will be allowed to do, and how each use
 * will be confirmed.
 */
export function renderPairingPage(t: Strings, entry: DeskEntry & { question: { kind: 'pairing'; prompt: PairingPrompt } }, csrf: string): { title: string; body: Html } {
  const p = entry.question.prompt
  const title = t.pairing.title
  const facts = html`<dl class="facts">
<dt>${t.signIn.application}</dt><dd>${p.client}</dd>
${renderCallerRows(t, p)}
<dt>${t.pairing.may}</dt><dd><ul>${p.scopes.methods.map((m) => html`<li>${t.pairing.methods[m] ?? m}</li>`)}</ul></dd>
<dt>${t.pairing.services}</dt><dd>${p.scopes.services.includes('*') ? t.pairing.anyService : html`<ul>${p.scopes.services.map((s) => html`<li>${s}</li>`)}</ul>`}</dd>
</dl>`
  const code = p.code ? renderPairingCode(t, p.code, p.codeShownByApplication === true) : ''
  const extension = p.kind === 'browser-extension' ? html`<div class="notice">${t.callers.extensionNote}</div>` : ''
  // Under an admin policy's minimum, the weaker choices are shown but cannot be chosen.
  const minimum = p.minimumUsePolicy
  const chosen = raiseUsePolicy(p.usePolicy, minimum?.level)
  const offered = POLICIES.filter((value) => minimum === undefined || raiseUsePolicy(value, minimum.level) === value)
  const atLeast = minimum ? html`<div class="hint locked">${t.callers.atLeast(t.callers.policies[minimum.level] ?? minimum.level, minimum.source)}</div>` : ''
  const policy = html`<fieldset class="policy"><legend>${t.callers.usePolicy}</legend>${POLICIES.map(
    (value) => html`<input type="radio" id="policy-${value}" name="usePolicy" value="${value}"${value === chosen ? ' checked' : ''}${offered.includes(value) ? '' : ' disabled'}><label for="policy-${value}">${t.callers.policies[value] ?? value}</label>`,
  )}${atLeast}</fieldset>`
  switch (entry.state.phase) {
    case 'waiting':
      return {
        title,
        body: html`<p class="lead">${t.pairing.lead(p.client)}</p>${code}${facts}${extension}<div class="notice warning">${t.pairing.warning}</div><form method="post" action="/ui/prompt/${entry.id}"><input type="hidden" name="csrf" value="${csrf}">${policy}<div class="actions"><button type="submit" name="action" value="approve">${t.pairing.approve}</button><button type="submit" name="action" value="deny" class="secondary">${t.pairing.deny}</button></div></form>`,
      }
    case 'approved':
      return { title, body: html`${facts}<div class="notice ok" role="status">${t.pairing.approved}</div>` }
    case 'denied':
    case 'cancelled':
      return { title, body: html`${facts}<div class="notice" role="status">${t.pairing.denied}</div>` }
    default:
      return { title: t.expired.title, body: html`<div class="notice" role="status">${entry.state.phase === 'expired' ? t.expired.timedOut : entry.state.phase === 'withdrawn' ? t.expired.withdrawn : t.expired.text}</div>` }
  }
}
