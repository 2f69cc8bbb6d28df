import type { AgentClient } from '../js/agent-client.js'
import { optionString, type CliContext } from './cli-context.js'
import { showProgress } from './show-progress.js'

/** What the user sees while the agent asks for the secret and talks to the STS. */
export const SIGN_IN_PROGRESS = 'signing in: answer the PIN or password prompt of the agent (its window or terminal)…'

/**
 * Sign in first when there is no session, so the wait for the user's PIN is shown as such
 * rather than as a slow signature. `--profile` picks the profile.
 */
export async function signInIfNeeded(ctx: CliContext, agent: AgentClient): Promise<void> {
  const status = await agent.call('session.status')
  if (status.state !== 'signed-out') return
  const profile = optionString(ctx, 'profile')
  await showProgress(ctx, `not signed in; ${SIGN_IN_PROGRESS}`, agent.call('session.login', profile ? { profile } : {}))
}
