import type { AgentClient } from '../js/agent-client.js'
import { connectToAgent } from '../js/discover-agent.js'
import { optionPort, optionString, type CliContext } from './cli-context.js'

/**
 * The local agent, found through the discovery file of `--state-dir` (or the user's runtime dir).
 * Its calls end when the command is cancelled (Ctrl-C): the connection closes, and the agent
 * withdraws the prompt the call was waiting on.
 */
export function connectAgent(ctx: CliContext): Promise<AgentClient> {
  const port = optionPort(ctx)
  const stateDir = optionString(ctx, 'state-dir')
  return connectToAgent({ ...(stateDir ? { stateDir } : {}), ...(port ? { port } : {}), context: ctx.pathContext, ...(ctx.cancel ? { signal: ctx.cancel } : {}) })
}
