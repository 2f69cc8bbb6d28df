import { defineMethod } from '../method-context.js'

/** `client.list`: the paired applications and their scopes (never their credentials). */
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
      })),
    }
  },
})
