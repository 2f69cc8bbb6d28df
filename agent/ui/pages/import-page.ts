import { html, type Html } from '../html.js'
import type { Strings } from '../i18n/strings.js'

/** Import an SSO token downloaded from the eHealth IDP (I.AM fat-client SSO spec v1.0): a file upload. */
export function renderImportPage(t: Strings, extra: { csrf: string; idpSso: string }): Html {
  return html`<p>${t.import.lead}</p><p><a href="${extra.idpSso}" target="_blank" rel="noopener noreferrer">${t.import.openSso}</a></p><form method="post" action="/ui/admin/import" enctype="multipart/form-data"><input type="hidden" name="csrf" value="${extra.csrf}"><label for="token">${t.import.file}</label><input id="token" name="token" type="file" required><div class="actions"><button type="submit">${t.import.submit}</button></div></form>`
}
