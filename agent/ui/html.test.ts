import { describe, expect, it } from 'vitest'
import { escapeHtml, html } from './html.js'

describe('html', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const name = `"><script>alert('x')</script>&`
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    )
  })

  it('keeps safe fragments, joins lists, drops false, null and undefined', () => {
    const items = ['a<', 'b'].map((x) => html`<li>${x}</li>`)
    expect(html`<ul>${items}</ul>${false}${null}${undefined}${0}`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>0')
  })

  it('escapeHtml', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;')
  })
})
