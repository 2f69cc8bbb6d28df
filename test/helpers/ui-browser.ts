import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'

/** Where the UI tests keep their screenshots (gitignored: test-artifacts/). */
export const UI_ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url))

/** Fresh browser contexts (no cookies shared between them), closed together at the end. */
export class BrowserContexts {
  private readonly browser: Browser
  private readonly contexts: BrowserContext[] = []

  constructor(browser: Browser) {
    this.browser = browser
    mkdirSync(UI_ARTIFACTS, { recursive: true })
  }

  /** A page in a new context: a browser that has never seen the agent's pages. */
  async page(locale = 'en-GB'): Promise<Page> {
    const context = await this.browser.newContext({ locale, viewport: { width: 1000, height: 760 } })
    this.contexts.push(context)
    return context.newPage()
  }

  async closeAll(): Promise<void> {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => undefined)
  }
}

/** A full-page screenshot in test-artifacts/ui/. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${UI_ARTIFACTS}${name}.png`, fullPage: true })
}
