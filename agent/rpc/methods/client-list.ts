import { raiseUsePolicy } from '../../../protocol/policy/policy-locks.js'
import { defineMethod } from '../method-context.js'

/**
 * `client.list`: the paired applications, their scopes, use policy, the executables their
 * credential is bound to and, for a browser extension, the websites allowed (never credentials).
 * The use policy shown is the one in effect: the client's own, raised to the admin policy's minimum.
 */
export const clientList = defineMethod({
  name: 'client.list',
  async handle(_params, { agent }) {
    const minimum = agent.policy.policy.minimumUsePolicy
    return {
      ...(minimum !== undefined ? { minimumUsePolicy: { level: minimum, source: agent.policy.source } } : {}),
      clients: agent.clients.list().map((c) => ({
        clientId: c.clientId,
        name: c.name,
        pairedAt: c.pairedAt,
        ...(c.lastUsedAt ? { lastUsedAt: c.lastUsedAt } : {}),
        scopes: c.scopes,
        kind: c.kind ?? 'application',
        usePolicy: raiseUsePolicy(c.usePolicy, minimum),
        ...(raiseUsePolicy(c.usePolicy, minimum) !== (c.usePolicy ?? 'silent') ? { raisedFrom: c.usePolicy ?? 'silent' } : {}),
        executables: c.executables ?? [],
        origins: c.origins ?? [],
      })),
    }
  },
})
