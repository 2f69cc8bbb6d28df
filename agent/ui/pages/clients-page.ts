import type { PairedClient } from '../../pairing/paired-clients.js'
import { html, type Html } from '../html.js'
import { formatDateTime, type Strings, type TimeFormat } from '../i18n/strings.js'

/** The paired applications, what each may do, and a Revoke button each (threat T8). */
export function renderClientsPage(t: Strings, clients: readonly PairedClient[], extra: { csrf: string; time: TimeFormat }): Html {
  if (clients.length === 0) return html`<p>${t.clients.none}</p>`
  const rows = clients.map((c) => {
    const process = c.process ? [c.process.executable, c.process.pid === undefined ? undefined : `pid ${c.process.pid}`, c.process.user].filter(Boolean).join(', ') : ''
    const methods = c.scopes.methods.includes('*') ? t.clients.anyMethod : c.scopes.methods.join(', ')
    const services = c.scopes.services.includes('*') ? '' : ` — ${c.scopes.services.join(', ')}`
    return html`<tr><td>${c.name}</td><td>${process}</td><td>${methods}${services}</td><td>${formatDateTime(new Date(c.pairedAt), extra.time)}</td><td>${c.lastUsedAt ? formatDateTime(new Date(c.lastUsedAt), extra.time) : t.time.never}</td><td><form class="inline" method="post" action="/ui/admin/clients/revoke"><input type="hidden" name="csrf" value="${extra.csrf}"><input type="hidden" name="clientId" value="${c.clientId}"><button type="submit" class="danger" aria-label="${t.clients.revoke}: ${c.name}">${t.clients.revoke}</button></form></td></tr>`
  })
  return html`<table><thead><tr><th>${t.clients.name}</th><th>${t.clients.process}</th><th>${t.clients.scopes}</th><th>${t.clients.pairedAt}</th><th>${t.clients.lastUsed}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
}
