import { summarizeSession } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'

/** `session.logout`: global logout; the token, unlocked keys and timers are dropped. */
export const sessionLogout = defineMethod({
  name: 'session.logout',
  async handle(_params, { agent }) {
    await agent.session.logout('user')
    return summarizeSession(agent.session, agent.environment.label)
  },
})
