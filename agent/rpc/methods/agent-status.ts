import { METHOD_NAMES } from '../../../protocol/rpc/methods.js'
import { summarizeSession } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'

/**
 * `agent.status`: version, pid, environment, the methods offered, the session state, and the
 * privacy log's disk use and state (a warning from 90 % of its budget; full means uses of the
 * token are refused). No secrets, no paths.
 */
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
      privacyLog: agent.audit.status(),
    }
  },
})
