import { describeMoment } from '../../../protocol/time/describe-moment.js'
import { readMachineFacts, UsageError, wantsJson, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { openInDefaultBrowser } from '../open-in-browser.js'

const PAGES = ['status', 'settings', 'clients', 'audit', 'import'] as const
type Page = (typeof PAGES)[number]

/**
 * `ehagent ui [status|settings|clients|audit|import] [--no-open] [--json]`: the agent's own pages
 * without a tray (a terminal, a service without a display). The agent mints a fresh one-time link
 * for the local user (`ui.link`, refused to any other credential); it is printed on stdout and
 * opened in the default browser where there is a display. The link works once, for two minutes.
 */
export const ui: Command = async (ctx) => {
  const page = ctx.args.positional[0] ?? 'status'
  if (!(PAGES as readonly string[]).includes(page)) throw new UsageError(`unknown page "${page}": use one of ${PAGES.join(', ')}`)
  const agent = await connectAgent(ctx)
  const link = await agent.call('ui.link', { page: page as Page })
  const expires = describeMoment(new Date(link.expiresAt), { now: ctx.now?.() ?? new Date(), language: 'en', timeZone: ctx.timeZone })
  const opened = ctx.args.options['no-open'] === true ? { opened: false, why: 'not asked to (--no-open)' } : await open(ctx, link.url)
  if (wantsJson(ctx)) ctx.stdout.write(JSON.stringify({ ...link, opened: opened.opened }) + '\n')
  else ctx.stdout.write(`${link.url}\n`)
  ctx.stderr.write(
    `${opened.opened ? `opened the ${page} page in the browser` : `open this link in a browser on this computer (${opened.why})`}; it works once, until ${expires.text}\n`,
  )
  return EXIT_CODES.ok
}

/** Open the link where there is a display; say why not otherwise (the link is printed either way). */
async function open(ctx: Parameters<Command>[0], url: string): Promise<{ opened: boolean; why: string }> {
  const { platform } = ctx.pathContext
  const display = readMachineFacts(ctx).display
  if (platform !== 'win32' && platform !== 'darwin' && !display.DISPLAY && !display.WAYLAND_DISPLAY) return { opened: false, why: 'no display here' }
  try {
    await (ctx.openUrl ?? ((u: string) => openInDefaultBrowser(platform, u)))(url)
    return { opened: true, why: '' }
  } catch (err) {
    return { opened: false, why: `the browser did not start: ${(err as Error).message}` }
  }
}
