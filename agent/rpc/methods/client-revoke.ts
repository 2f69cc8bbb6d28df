import { auditCallerOf } from '../describe-caller.js'
import { defineMethod } from '../method-context.js'

/** `client.revoke {clientId}`: the application's credential stops working on its next call. */
export const clientRevoke = defineMethod({
  name: 'client.revoke',
  async handle(params, { agent, caller }) {
    const revoked = await agent.clients.revoke(params.clientId)
    agent.audit.record({ event: 'client.revoke', ...auditCallerOf(caller), method: 'client.revoke', outcome: revoked ? 'ok' : 'error' })
    return { revoked }
  },
})
