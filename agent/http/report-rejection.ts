import type { Context } from 'hono'
import type { GuardOptions } from './api-guard.js'
import { describeConnection, type Connection } from './read-connection.js'

/** Header values longer than this are cut before they reach the privacy log. */
const MAX_LOGGED_HEADER = 200

/**
 * Tell `onRejected` (the privacy log) what a guard refused and why: reason, path, Origin, Host and
 * peer, each clipped. Shared by the API's guard and the pages' guard.
 */
export function reportRejection(onRejected: GuardOptions['onRejected'], c: Context, reason: string, connection: Connection): void {
  if (!onRejected) return
  const info: Parameters<NonNullable<GuardOptions['onRejected']>>[0] = { reason, path: clip(c.req.path) }
  const origin = c.req.header('origin')
  const host = c.req.header('host')
  const peer = describeConnection(connection)
  if (origin !== undefined) info.origin = clip(origin)
  if (host !== undefined) info.host = clip(host)
  if (peer !== undefined) info.peer = peer
  try {
    onRejected(info)
  } catch {
    // A failing log must not turn a refusal into a 500 or, worse, into a pass: refused anyway.
  }
}

function clip(value: string): string {
  return value.length > MAX_LOGGED_HEADER ? `${value.slice(0, MAX_LOGGED_HEADER)}…` : value
}
