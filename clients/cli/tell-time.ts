import { describeMoment } from '../../protocol/time/describe-moment.js'
import type { CliContext } from './cli-context.js'

/**
 * A time from the agent (ISO 8601) as the CLI prints it: with the day when it is not today and
 * how far off it is ("tomorrow 19:57 (in 23 h)"), in this machine's zone. `--json` keeps ISO.
 */
export function tellTime(ctx: Pick<CliContext, 'now' | 'timeZone'>, iso: string): string {
  return describeMoment(new Date(iso), { now: ctx.now?.() ?? new Date(), language: 'en', timeZone: ctx.timeZone }).text
}
