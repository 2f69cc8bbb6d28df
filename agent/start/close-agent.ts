import type { TrayController } from '../tray/tray-controller.js'
import type { UndoStack } from './undo-stack.js'
import type { WiredAgent } from './wire-agent.js'

/**
 * Stop a running agent: the tray icon, the prompts waiting on the pages, the eHealth session
 * (a global logout, so no token outlives the agent), then everything start-up recorded, newest
 * first: the discovery and credential files, the socket and the servers, the privacy log and the
 * key sources, the sandbox child. The same list a failed start unwinds, so the two cannot drift.
 */
export async function closeAgent(wired: WiredAgent, tray: Promise<TrayController | undefined>, undo: UndoStack): Promise<void> {
  await (await tray)?.stop()
  wired.webPrompter?.disconnect()
  await wired.session.logout('user').catch(() => undefined)
  await undo.unwind()
}
