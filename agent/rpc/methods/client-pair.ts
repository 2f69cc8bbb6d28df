import { AgentError } from '../../../protocol/errors.js'
import { isProgramAllowed } from '../../../protocol/policy/policy-locks.js'
import { defineMethod, type CallContext } from '../method-context.js'

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
    refuseUnlistedProgram(ctx, params.name)
    const methods = (params.scopes?.methods ?? [...DEFAULT_PAIRED_METHODS]).filter((m) => (DEFAULT_PAIRED_METHODS as readonly string[]).includes(m))
    const services = params.scopes?.services ?? ['*']
    const approved = await ctx.agent.prompter.approvePairing({
      client: params.name,
      ...(ctx.caller.process ? { process: ctx.caller.process } : {}),
      scopes: { methods, services },
    })
    ctx.agent.audit.record({ event: 'client.pair', client: { name: params.name }, method: 'client.pair', outcome: approved ? 'ok' : 'rejected' })
    if (!approved) throw new AgentError('ERR_PAIRING_DENIED')
    const { client, credential } = await ctx.agent.clients.add(params.name, { methods, services }, ctx.caller.process)
    return { clientId: client.clientId, credential, scopes: client.scopes }
  },
})

/**
 * An admin policy listing programs lets only those be paired, named by the executable the OS
 * reports for the connection (never by the name the program gives itself). A caller whose
 * executable is not known is refused too: the policy is a list of what is allowed.
 */
function refuseUnlistedProgram(ctx: CallContext, name: string): void {
  const allowed = ctx.agent.policy.policy.allowedPrograms
  const executable = ctx.caller.process?.executable
  if (isProgramAllowed(executable, allowed)) return
  ctx.agent.audit.record({ event: 'client.pair', client: { name, ...(executable ? { executable } : {}) }, method: 'client.pair', outcome: 'rejected', errorCode: 'ERR_POLICY_DENIED' })
  throw new AgentError('ERR_POLICY_DENIED', `the program ${executable ?? '(not identified)'} may not be paired: it is not among the programs your administrator's policy ${ctx.agent.policy.source} allows`, {
    ...(executable ? { executable } : {}),
    source: ctx.agent.policy.source,
    policyField: 'allowedPrograms',
  })
}
