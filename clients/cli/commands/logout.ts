import type { Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'

/** `ehagent logout [--json]`: global logout. */
export const logout: Command = async (ctx) => {
  const agent = await connectAgent(ctx)
  const s = await agent.call('session.logout')
  printResult(ctx, s, 'signed out')
  return EXIT_CODES.ok
}
