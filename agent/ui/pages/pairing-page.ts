import type { DeskEntry } from '../../consent/prompt-desk.js'
import type { PairingPrompt } from '../../consent/prompter.js'
import { html, type Html } from '../html.js'
import type { Strings } from '../i18n/strings.js'

/**
 * The pairing prompt (threats T4, T8): the name the application gave itself, the process behind
 * it where the OS says (the name alone proves nothing), and what it will be allowed to do.
 */
export function renderPairingPage(t: Strings, entry: DeskEntry & { question: { kind: 'pairing'; prompt: PairingPrompt } }, csrf: string): { title: string; body: Html } {
  const p = entry.question.prompt
  const title = t.pairing.title
  const facts = html`<dl class="facts">
<dt>${t.signIn.application}</dt><dd>${p.client}</dd>
<dt>${t.pairing.process}</dt><dd>${p.process && (p.process.executable || p.process.pid !== undefined) ? [p.process.executable, p.process.pid === undefined ? undefined : `pid ${p.process.pid}`].filter(Boolean).join(', ') : t.pairing.unknown}</dd>
<dt>${t.pairing.user}</dt><dd>${p.process?.user ?? t.pairing.unknown}</dd>
<dt>${t.pairing.may}</dt><dd><ul>${p.scopes.methods.map((m) => html`<li>${t.pairing.methods[m] ?? m}</li>`)}</ul></dd>
<dt>${t.pairing.services}</dt><dd>${p.scopes.services.includes('*') ? t.pairing.anyService : html`<ul>${p.scopes.services.map((s) => html`<li>${s}</li>`)}</ul>`}</dd>
</dl>`
  switch (entry.state.phase) {
    case 'waiting':
      return {
        title,
        body: html`<p class="lead">${t.pairing.lead(p.client)}</p>${facts}<div class="notice warning">${t.pairing.warning}</div><form method="post" action="/ui/prompt/${entry.id}"><input type="hidden" name="csrf" value="${csrf}"><div class="actions"><button type="submit" name="action" value="approve">${t.pairing.approve}</button><button type="submit" name="action" value="deny" class="secondary">${t.pairing.deny}</button></div></form>`,
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
