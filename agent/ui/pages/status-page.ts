import type { SessionStatus } from '../../../protocol/rpc/methods.js'
import { html, type Html } from '../html.js'
import { environmentName, formatDateTime, formatMoment, profileName, type Strings, type TimeFormat } from '../i18n/strings.js'

/** The token status: who, which profile, where, and when it expires; sign out from here. */
export function renderStatusPage(t: Strings, status: SessionStatus, extra: { csrf: string; name: string | undefined; now: Date; time: TimeFormat }): Html {
  const token = status.token
  if (status.state !== 'signed-in' || !token) {
    return html`<p>${t.status.signedOut}</p><dl class="facts"><dt>${t.status.environment}</dt><dd>${environmentName(t, status.environment)}</dd></dl>`
  }
  return html`<dl class="facts">
<dt>${t.status.subject}</dt><dd>${extra.name ?? token.subject}</dd>
<dt>${t.status.profile}</dt><dd>${profileName(t, token.profile)}</dd>
<dt>${t.status.environment}</dt><dd>${environmentName(t, status.environment)}</dd>
<dt>${t.status.validFrom}</dt><dd>${formatDateTime(new Date(token.notBefore), extra.time)}</dd>
<dt>${t.status.validUntil}</dt><dd id="expiry">${formatMoment(new Date(token.notOnOrAfter), extra.time, extra.now)}</dd>
<dt>${t.status.renewAt}</dt><dd>${formatMoment(new Date(token.renewAt), extra.time, extra.now)}</dd>
<dt>${t.status.origin}</dt><dd>${token.origin === 'imported' ? t.status.originImported : t.status.originSts}</dd>
</dl>
<form method="post" action="/ui/admin/sign-out"><input type="hidden" name="csrf" value="${extra.csrf}"><div class="actions"><button type="submit" class="danger">${t.status.signOut}</button></div></form>`
}
