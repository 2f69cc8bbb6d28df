import type { AuditRecord } from '../../../protocol/rpc/methods.js'
import { html, type Html } from '../html.js'
import { formatDateTime, type Strings, type TimeFormat } from '../i18n/strings.js'

/** The filters of the privacy log page, as read from its query string. */
export interface AuditFilters {
  method: string
  outcome: '' | AuditRecord['outcome']
  /** As typed in the datetime-local field. */
  since: string
  limit: number
}

export const AUDIT_LIMITS = [50, 100, 500, 1000] as const

/**
 * The privacy log (IAM eXchange Annex A §1.5), newest first, with its filters. A GET form:
 * filtering changes nothing.
 */
export function renderAuditPage(t: Strings, records: readonly AuditRecord[], extra: { filters: AuditFilters; sinceInvalid: boolean; time: TimeFormat }): Html {
  const f = extra.filters
  const outcomes = ['', 'ok', 'error', 'rejected'] as const
  const form = html`<form class="filters" method="get" action="/ui/admin/audit">
<div><label for="method">${t.audit.method}</label><input id="method" name="method" type="text" value="${f.method}"></div>
<div><label for="outcome">${t.audit.outcome}</label><select id="outcome" name="outcome">${outcomes.map((o) => html`<option value="${o}"${o === f.outcome ? ' selected' : ''}>${o === '' ? t.audit.anyOutcome : (t.audit.outcomes[o] ?? o)}</option>`)}</select></div>
<div><label for="since">${t.audit.since}</label><input id="since" name="since" type="datetime-local" value="${f.since}"></div>
<div><label for="limit">${t.audit.limit}</label><select id="limit" name="limit">${AUDIT_LIMITS.map((n) => html`<option value="${n}"${n === f.limit ? ' selected' : ''}>${n}</option>`)}</select></div>
<div><button type="submit">${t.audit.show}</button></div>
</form>`
  const warning = extra.sinceInvalid ? html`<div class="notice warning">${t.audit.invalidSince}</div>` : ''
  const table =
    records.length === 0
      ? html`<p>${t.audit.none}</p>`
      : html`<table><thead><tr><th>${t.audit.time}</th><th>${t.audit.event}</th><th>${t.audit.client}</th><th>${t.audit.method}</th><th>${t.audit.service}</th><th>${t.audit.outcome}</th><th>${t.audit.error}</th></tr></thead><tbody>${records.map(
          (r) =>
            html`<tr><td>${formatDateTime(new Date(r.time), extra.time)}</td><td>${r.event}</td><td>${r.client?.name ?? ''}${whoElse(r)}</td><td>${r.method ?? ''}</td><td>${r.service?.operation ?? r.service?.endpoint ?? ''}</td><td>${t.audit.outcomes[r.outcome] ?? r.outcome}</td><td>${r.errorCode ?? ''}</td></tr>`,
        )}</tbody></table>`
  return html`<p class="muted">${t.audit.note}</p>${form}${warning}${table}`
}

/** Under the name: the website, and the program as the OS reported it (executable, pid). */
function whoElse(r: AuditRecord): Html | '' {
  const parts = [r.origin, r.program ? `${r.program.executable}${r.program.pid === undefined ? '' : ` (pid ${r.program.pid})`}` : undefined].filter((x): x is string => x !== undefined)
  return parts.length === 0 ? '' : html`<div class="muted program">${parts.join(' — ')}</div>`
}
