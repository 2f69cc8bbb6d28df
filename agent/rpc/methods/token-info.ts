import { AgentError } from '../../../protocol/errors.js'
import { summarizeToken } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'

/** `token.info`: the current token's ids and times (never the assertion). */
export const tokenInfo = defineMethod({
  name: 'token.info',
  async handle(_params, { agent }) {
    const token = agent.session.current()
    if (!token) throw new AgentError('ERR_NOT_LOGGED_IN')
    return summarizeToken(token)
  },
})
