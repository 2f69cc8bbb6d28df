import { AgentError } from '../../../protocol/errors.js'
import { defineMethod } from '../method-context.js'

/**
 * `ui.link {page?}`: a fresh one-time link to one of the agent's admin pages (default: the
 * session), for `ehagent ui` where there is no tray to open them (a terminal, a service without a
 * display). The pages can revoke applications and change settings, so only the local user's own
 * credential may ask: never a paired application, whatever scopes it holds.
 */
export const uiLink = defineMethod({
  name: 'ui.link',
  async handle(params, ctx) {
    if (ctx.caller.id !== 'local') {
      throw new AgentError('ERR_SCOPE', 'ui.link is reserved to the local user’s own credential (ehagent ui)', { method: 'ui.link' })
    }
    const page = params.page ?? 'status'
    const { url, expiresAt } = ctx.agent.adminLink(page)
    ctx.agent.audit.record({ event: 'ui.link', client: { id: ctx.caller.id, name: ctx.caller.name }, method: 'ui.link', outcome: 'ok' })
    return { url, page, expiresAt: expiresAt.toISOString() }
  },
})
