import { optionString, UsageError, type Command, type CliContext } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'

const OUTCOMES = ['ok', 'error', 'rejected'] as const
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/**
 * `ehagent audit [--limit N] [--from T] [--to T] [--client C] [--event E] [--method M]
 * [--outcome O] [--json]`: the privacy log, newest first, across its compressed files too. T is
 * an ISO 8601 time or a date (UTC; as --to, the whole day); C a client's id or name.
 */
export const audit: Command = async (ctx) => {
  const limit = optionString(ctx, 'limit')
  if (limit !== undefined && !/^[1-9]\d{0,3}$/.test(limit)) throw new UsageError('--limit must be a number from 1 to 1000')
  if (limit !== undefined && Number(limit) > 1000) throw new UsageError('--limit must be a number from 1 to 1000')
  const outcome = optionString(ctx, 'outcome')
  if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome)) throw new UsageError(`--outcome must be one of ${OUTCOMES.join(', ')}`)
  const from = timeOption(ctx, 'from', 'start') ?? timeOption(ctx, 'since', 'start')
  const to = timeOption(ctx, 'to', 'end')
  const params = {
    ...(limit ? { limit: Number(limit) } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...stringOption(ctx, 'client'),
    ...stringOption(ctx, 'event'),
    ...stringOption(ctx, 'method'),
    ...(outcome ? { outcome: outcome as (typeof OUTCOMES)[number] } : {}),
  }
  const agent = await connectAgent(ctx)
  const { records } = await agent.call('audit.list', params)
  printResult(
    ctx,
    records,
    records.map((r) => `${r.time}  ${r.event.padEnd(12)} ${r.outcome.padEnd(8)} ${r.client?.name ?? ''} ${r.service?.operation ?? ''} ${r.token?.assertionId ?? ''}`).join('\n') || '(empty)',
  )
  return EXIT_CODES.ok
}

/** An ISO 8601 time, or a date taken as the start (--from) or the end (--to) of that UTC day. */
function timeOption(ctx: CliContext, name: string, edge: 'start' | 'end'): string | undefined {
  const value = optionString(ctx, name)
  if (value === undefined) return undefined
  const text = DATE_ONLY.test(value) ? `${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z` : value
  const ms = Date.parse(text)
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new UsageError(`--${name} must be a date (2025-03-01) or an ISO 8601 time (2025-03-01T10:00:00Z)`)
  return new Date(ms).toISOString()
}

function stringOption(ctx: CliContext, name: 'client' | 'event' | 'method'): Record<string, string> {
  const value = optionString(ctx, name)
  if (value === undefined) return {}
  if (value.length === 0 || value.length > 64) throw new UsageError(`--${name} must be 1 to 64 characters`)
  return { [name]: value }
}
