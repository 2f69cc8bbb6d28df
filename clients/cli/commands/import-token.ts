import { UsageError, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { readInput } from '../read-input.js'
import { showProgress } from '../show-progress.js'
import { describeSession } from './describe-session.js'

/**
 * `ehagent import-token FILE [--json]`: hand a session token downloaded from the eHealth IDP
 * (`.ehtoken`; I.AM fat-client SSO spec v1.0) to the agent, which checks it like a fresh STS token
 * (trusted signature, validity, bound to its keystore certificate). The file handler that `ehagent
 * install` registers runs this when the user opens a downloaded token.
 */
export const importToken: Command = async (ctx) => {
  const file = ctx.args.positional[0]
  if (!file) throw new UsageError('ehagent import-token needs the token file: ehagent import-token ~/Downloads/session-doctor.ehtoken')
  const token = await readInput(ctx, file)
  const agent = await connectAgent(ctx)
  // The keystore may have to be opened to compare certificates: the agent may ask for its password.
  const s = await showProgress(ctx, 'importing the session token (the agent may ask for the keystore password)…', agent.call('session.importToken', { token }))
  printResult(ctx, s, describeSession(ctx, s))
  return EXIT_CODES.ok
}
