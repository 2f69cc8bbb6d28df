import { raiseUsePolicy } from '../../../protocol/policy/policy-locks.js'
import type { UsePolicy } from '../../../protocol/rpc/methods.js'
import type { PairedClient } from '../../pairing/paired-clients.js'
import { html, type Html } from '../html.js'
import { formatDateTime, type Strings, type TimeFormat } from '../i18n/strings.js'

const POLICIES = ['silent', 'notify', 'ask'] as const

/**
 * The paired applications (threat T8): what each may do, the programs its credential is bound
 * to, how each use is confirmed (changeable here), for a browser extension the websites allowed
 * (each withdrawable), and a Revoke button. Under an admin policy's minimum use policy, each
 * client shows the policy in effect and the weaker choices are not offered.
 */
export function renderClientsPage(t: Strings, clients: readonly PairedClient[], extra: { csrf: string; time: TimeFormat; minimumUsePolicy?: { level: UsePolicy; source: string } }): Html {
  if (clients.length === 0) return html`<p>${t.clients.none}</p>`
  const csrf = html`<input type="hidden" name="csrf" value="${extra.csrf}">`
  const rows = clients.map((c) => {
    const methods = c.scopes.methods.includes('*') ? t.clients.anyMethod : c.scopes.methods.join(', ')
    const services = c.scopes.services.includes('*') ? '' : ` — ${c.scopes.services.join(', ')}`
    const programs = c.executables && c.executables.length > 0 ? html`<ul class="programs">${c.executables.map((e) => html`<li>${e}</li>`)}</ul>` : t.callers.anyProgram
    const paired = c.process ? html`<div class="muted">${[c.process.pid === undefined ? undefined : `pid ${c.process.pid}`, c.process.user, c.process.commandLine].filter(Boolean).join(', ')}</div>` : ''
    const minimum = extra.minimumUsePolicy
    const current = raiseUsePolicy(c.usePolicy, minimum?.level)
    const weaker = (p: UsePolicy) => minimum !== undefined && raiseUsePolicy(p, minimum.level) !== p
    const atLeast = minimum ? html`<div class="hint locked">${t.callers.atLeast(t.callers.policies[minimum.level] ?? minimum.level, minimum.source)}</div>` : ''
    const policy = html`<form class="inline" method="post" action="/ui/admin/clients/policy">${csrf}<input type="hidden" name="clientId" value="${c.clientId}"><select name="usePolicy" aria-label="${t.callers.usePolicy}: ${c.name}">${POLICIES.map((p) => html`<option value="${p}"${p === current ? ' selected' : ''}${weaker(p) ? ' disabled' : ''}>${t.callers.policies[p] ?? p}</option>`)}</select> <button type="submit" class="secondary">${t.callers.change}</button></form>${atLeast}`
    const websites =
      c.kind === 'browser-extension'
        ? html`<div class="websites"><strong>${t.callers.websites}:</strong> ${
            (c.origins ?? []).length === 0
              ? t.time.never
              : html`<ul>${(c.origins ?? []).map(
                  (o) => html`<li><span class="origin">${o.origin}</span> (${formatDateTime(new Date(o.approvedAt), extra.time)}) <form class="inline" method="post" action="/ui/admin/clients/withdraw-origin">${csrf}<input type="hidden" name="clientId" value="${c.clientId}"><input type="hidden" name="origin" value="${o.origin}"><button type="submit" class="danger" aria-label="${t.callers.withdraw}: ${o.origin}">${t.callers.withdraw}</button></form></li>`,
                )}</ul>`
          }</div>`
        : ''
    return html`<tr><td>${c.name}${websites}</td><td>${programs}${paired}</td><td>${methods}${services}<div class="policy">${policy}</div></td><td>${formatDateTime(new Date(c.pairedAt), extra.time)}</td><td>${c.lastUsedAt ? formatDateTime(new Date(c.lastUsedAt), extra.time) : t.time.never}</td><td><form class="inline" method="post" action="/ui/admin/clients/revoke">${csrf}<input type="hidden" name="clientId" value="${c.clientId}"><button type="submit" class="danger" aria-label="${t.clients.revoke}: ${c.name}">${t.clients.revoke}</button></form></td></tr>`
  })
  return html`<table class="clients"><thead><tr><th>${t.clients.name}</th><th>${t.callers.programs}</th><th>${t.clients.scopes}</th><th>${t.clients.pairedAt}</th><th>${t.clients.lastUsed}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
}
