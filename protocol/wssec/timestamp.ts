import { AgentError } from '../errors.js'
import { WSU_NS } from '../soap/namespaces.js'
import { formatXsdDateTime } from '../xsd/index.js'

/**
 * A wsu:Timestamp (WS-Security 1.0 §10), written directly in exclusive-canonical form (it
 * declares the wsu namespace it uses and has a single attribute), so its text in the header and
 * the bytes that are digested are the same string.
 *
 * @example
 * ```ts
 * buildTimestamp('TS-1', new Date('2025-01-10T09:00:00Z'), 60_000)
 * // '<wsu:Timestamp xmlns:wsu="…" wsu:Id="TS-1"><wsu:Created>2025-01-10T09:00:00.000Z</wsu:Created>…'
 * ```
 */
export function buildTimestamp(id: string, created: Date, ttlMs: number): string {
  return (
    `<wsu:Timestamp xmlns:wsu="${WSU_NS}" wsu:Id="${id}">` +
    `<wsu:Created>${writeInstant(created, 'now')}</wsu:Created>` +
    `<wsu:Expires>${writeInstant(new Date(created.getTime() + ttlMs), 'ttlMs')}</wsu:Expires>` +
    `</wsu:Timestamp>`
  )
}

/** WS-Security 1.0 §10: times in UTC, as xsd:dateTime; `what` names the option that made it. */
function writeInstant(date: Date, what: string): string {
  const written = formatXsdDateTime(date)
  if (!written.ok) throw new AgentError('ERR_INVALID_PARAMS', `the wsu:Timestamp cannot be written: ${written.problem}`, { issues: [{ path: what, message: written.problem }] })
  return written.value
}
