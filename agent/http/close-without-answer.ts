import type { Connection } from './read-connection.js'

/**
 * Drop the connection without writing a byte (threat T12: a peer on another network never gets
 * an answer, not even a refusal, so it learns nothing of what listens here). The Response is for
 * the HTTP adapter only: its socket is gone, so nothing of it reaches the wire.
 */
export function closeWithoutAnswer(connection: Connection): Response {
  if (connection.kind !== 'unknown') (connection.socket as { destroy?: () => void }).destroy?.()
  return new Response(null, { status: 403 })
}
