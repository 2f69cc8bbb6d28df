import { METHOD_NAMES } from '../../../protocol/rpc/methods.js'
import { summarizeSession } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'

/** `agent.status`: version, pid, environment, the methods offered, and the session state. No secrets. */
export const agentStatus = defineMethod({
  name: 'agent.status',
  alwaysAllowed: true,
  async handle(_params, { agent }) {
    return {
      version: agent.version,
      pid: agent.pid,
      environment: agent.environment.id,
      methods: METHOD_NAMES,
      session: summarizeSession(agent.session, agent.environment.label),
    }
  },
})
