import { defineMethod } from '../method-context.js'

/** `keys.list`: the configured key sources, their role and whether they are unlocked. Never key material. */
export const keysList = defineMethod({
  name: 'keys.list',
  async handle(_params, { agent }) {
    return { keys: await agent.keys.list() }
  },
})
