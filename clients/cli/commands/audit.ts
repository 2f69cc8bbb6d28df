import { optionString, UsageError, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'

/** `ehagent audit [--limit N] [--method M] [--json]`: the privacy log, newest first. */
export const audit: Command = async (ctx) => {
  const limit = optionString(ctx, 'limit')
  if (limit !== undefined && !/^[1-9]\d{0,3}$/.test(limit)) throw new UsageError('--limit must be a number from 1 to 1000')
  const method = optionString(ctx, 'method')
  const agent = await connectAgent(ctx)
  const { records } = await agent.call('audit.list', { ...(limit ? { limit: Number(limit) } : {}), ...(method ? { method } : {}) })
  printResult(
    ctx,
    records,
    records.map((r) => `${r.time}  ${r.event.padEnd(12)} ${r.outcome.padEnd(8)} ${r.client?.name ?? ''} ${r.service?.operation ?? ''} ${r.token?.assertionId ?? ''}`).join('\n') || '(empty)',
  )
  return EXIT_CODES.ok
}
