import { defineMethod } from '../method-context.js'

/**
 * `client.list`: the paired applications, their scopes, use policy, the executables their
 * credential is bound to and, for a browser extension, the websites allowed (never credentials).
 */
export const clientList = defineMethod({
  name: 'client.list',
  async handle(_params, { agent }) {
    return {
      clients: agent.clients.list().map((c) => ({
        clientId: c.clientId,
        name: c.name,
        pairedAt: c.pairedAt,
        ...(c.lastUsedAt ? { lastUsedAt: c.lastUsedAt } : {}),
        scopes: c.scopes,
        kind: c.kind ?? 'application',
        usePolicy: c.usePolicy ?? 'silent',
        executables: c.executables ?? [],
        origins: c.origins ?? [],
      })),
    }
  },
})
