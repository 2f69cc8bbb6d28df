/**
 * HTML built from templates whose every interpolated value is escaped, unless it is itself Html
 * built the same way. Names of applications, processes and profiles come from callers (a paired
 * application chooses its own name), so nothing reaches a page unescaped by accident.
 */

/** A fragment of markup that was built safely. */
export class Html {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

/** What a template accepts: text (escaped), safe markup, lists of either, or nothing. */
export type HtmlValue = string | number | Html | false | null | undefined | readonly HtmlValue[]

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for an element or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

/**
 * @example
 * ```ts
 * html`<b>${'<script>'}</b>`.value // '<b>&lt;script&gt;</b>'
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!
  return new Html(out)
}

function render(value: HtmlValue): string {
  if (value === false || value === null || value === undefined) return ''
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}
