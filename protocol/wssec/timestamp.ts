import { WSU_NS } from '../soap/namespaces.js'

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
  const expires = new Date(created.getTime() + ttlMs)
  return (
    `<wsu:Timestamp xmlns:wsu="${WSU_NS}" wsu:Id="${id}">` +
    `<wsu:Created>${created.toISOString()}</wsu:Created>` +
    `<wsu:Expires>${expires.toISOString()}</wsu:Expires>` +
    `</wsu:Timestamp>`
  )
}
