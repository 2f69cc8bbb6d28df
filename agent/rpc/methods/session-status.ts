import { summarizeSession } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'

/** `session.status`: signed in or not, as whom, with which profile, until when. */
export const sessionStatus = defineMethod({
  name: 'session.status',
  async handle(_params, { agent }) {
    return summarizeSession(agent.session, agent.environment.label)
  },
})
