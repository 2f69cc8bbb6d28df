import { AgentError } from '../../../protocol/errors.js'
import { defineMethod } from '../method-context.js'

/** What a paired application may do unless it asks for less. Admin methods stay with the local user. */
export const DEFAULT_PAIRED_METHODS = [
  'agent.status',
  'profiles.list',
  'session.login',
  'session.logout',
  'session.status',
  'token.info',
  'soap.sign',
  'soap.call',
] as const

/**
 * `client.pair {name, scopes?}`: an application asks to be paired. The user approves or denies in
 * the agent's own UI, which shows the name and, where the OS tells it, the calling process
 * (threat T4: the Origin header is only a hint). On approval the application receives its
 * credential, once.
 */
export const clientPair = defineMethod({
  name: 'client.pair',
  alwaysAllowed: true,
  async handle(params, ctx) {
    const methods = (params.scopes?.methods ?? [...DEFAULT_PAIRED_METHODS]).filter((m) => (DEFAULT_PAIRED_METHODS as readonly string[]).includes(m))
    const services = params.scopes?.services ?? ['*']
    const approved = await ctx.agent.prompter.approvePairing(
      {
        client: params.name,
        ...(ctx.caller.process ? { process: ctx.caller.process } : {}),
        scopes: { methods, services },
      },
      // The application going away (Ctrl-C in `ehagent pair`) withdraws the request.
      ctx.signal ? { signal: ctx.signal } : {},
    )
    ctx.agent.audit.record({ event: 'client.pair', client: { name: params.name }, method: 'client.pair', outcome: approved ? 'ok' : 'rejected' })
    if (!approved) throw new AgentError('ERR_PAIRING_DENIED')
    const { client, credential } = await ctx.agent.clients.add(params.name, { methods, services }, ctx.caller.process)
    return { clientId: client.clientId, credential, scopes: client.scopes }
  },
})
