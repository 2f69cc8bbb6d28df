import type { DeskEntry } from '../../consent/prompt-desk.js'
import type { ApprovalPrompt } from '../../consent/prompter.js'
import { html, type Html } from '../html.js'
import type { Strings } from '../i18n/strings.js'
import { renderCallerRows } from './caller-facts.js'

/**
 * A yes/no question beyond signing in and pairing (agent/consent/prompter.ts, ApprovalPrompt):
 * one message of a client that asks every time (what the agent itself parsed of it: service,
 * operation, Body root element — threat T9), a credential used by another program (both the
 * program it was given to and the one using it), or a website asking through the browser
 * extension for the first time ("https://app.example.be wants to sign eHealth requests as you").
 */
export function renderApprovalPage(t: Strings, entry: DeskEntry & { question: { kind: 'approval'; prompt: ApprovalPrompt } }, csrf: string): { title: string; body: Html } {
  const p = entry.question.prompt
  const c = t.callers
  let title: string
  let lead: string
  let rows: Html
  let warning: Html | '' = ''
  switch (p.kind) {
    case 'use':
      title = c.useTitle
      lead = c.useLead(p.client)
      rows = html`<dt>${t.signIn.application}</dt><dd>${p.client}</dd>${renderCallerRows(t, p)}
<dt>${c.service}</dt><dd>${p.endpoint ?? c.serviceSentByApplication}</dd>
<dt>${c.operation}</dt><dd>${p.soapAction || p.bodyRoot}</dd>
<dt>${c.bodyRoot}</dt><dd class="body-root">${p.bodyRoot}</dd>`
      break
    case 'program':
      title = c.programTitle
      lead = c.programLead(p.client)
      rows = html`<dt>${t.signIn.application}</dt><dd>${p.client}</dd><dt>${c.pairedFor}</dt><dd class="bound"><ul>${p.boundExecutables.map((e) => html`<li>${e}</li>`)}</ul></dd>${renderCallerRows(t, p)}`
      warning = html`<div class="notice warning">${c.programWarning}</div>`
      break
    case 'origin':
      title = c.originTitle
      lead = c.originLead(p.origin)
      rows = html`<dt>${c.website}</dt><dd class="origin">${p.origin}</dd><dt>${c.through}</dt><dd>${p.client}</dd>${renderCallerRows(t, { ...p, origin: undefined })}`
      warning = html`<div class="notice warning">${c.originWarning}</div>`
      break
  }
  const facts = html`<dl class="facts">${rows}</dl>`
  switch (entry.state.phase) {
    case 'waiting':
      return {
        title,
        body: html`<p class="lead">${lead}</p>${facts}${warning}<form method="post" action="/ui/prompt/${entry.id}"><input type="hidden" name="csrf" value="${csrf}"><div class="actions"><button type="submit" name="action" value="approve">${c.allow}</button><button type="submit" name="action" value="deny" class="secondary">${c.deny}</button></div></form>`,
      }
    case 'approved':
      return { title, body: html`${facts}<div class="notice ok" role="status">${c.allowed}</div>` }
    case 'denied':
    case 'cancelled':
      return { title, body: html`${facts}<div class="notice" role="status">${c.denied}</div>` }
    default:
      return { title: t.expired.title, body: html`<div class="notice" role="status">${entry.state.phase === 'expired' ? t.expired.timedOut : entry.state.phase === 'withdrawn' ? t.expired.withdrawn : t.expired.text}</div>` }
  }
}
