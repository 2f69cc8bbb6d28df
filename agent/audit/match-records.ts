import type { AuditRecord } from '../../protocol/rpc/methods.js'
import { parseRecordLine } from './sanitize-record.js'

/** Filters of a privacy-log query; all optional, combined with AND. */
export interface RecordFilter {
  /** Records at or after this time (ISO 8601); `since` is its older name. */
  from?: string
  since?: string
  /** Records at or before this time (ISO 8601). */
  to?: string
  /** A client's id or name, exactly. */
  client?: string
  event?: string
  method?: string
  outcome?: AuditRecord['outcome']
}

/** The filters of a query, compiled once: a cheap look at the raw line first, then the parsed record. */
export function recordMatcher(query: RecordFilter): { overlaps: (oldest: number, newest: number) => boolean; line: (line: string) => AuditRecord | undefined } {
  const fromText = query.from ?? query.since
  const from = fromText === undefined ? undefined : Date.parse(fromText)
  const to = query.to === undefined ? undefined : Date.parse(query.to)
  // A stored line holds each string as JSON.stringify wrote it: a line without it cannot match.
  const needles = [query.event, query.method, query.client].filter((v): v is string => v !== undefined).map((v) => JSON.stringify(v))
  return {
    overlaps: (oldest, newest) => !(from !== undefined && Number.isFinite(newest) && newest < from) && !(to !== undefined && Number.isFinite(oldest) && oldest > to),
    line(line) {
      for (const needle of needles) if (!line.includes(needle)) return undefined
      const record = parseRecordLine(line)
      if (!record) return undefined
      if (from !== undefined || to !== undefined) {
        const time = Date.parse(record.time)
        if (from !== undefined && !(time >= from)) return undefined
        if (to !== undefined && !(time <= to)) return undefined
      }
      if (query.event !== undefined && record.event !== query.event) return undefined
      if (query.method !== undefined && record.method !== query.method) return undefined
      if (query.outcome !== undefined && record.outcome !== query.outcome) return undefined
      if (query.client !== undefined && record.client?.id !== query.client && record.client?.name !== query.client) return undefined
      return record
    },
  }
}

