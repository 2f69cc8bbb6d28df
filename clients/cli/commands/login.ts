import { optionString, UsageError, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { showProgress } from '../show-progress.js'
import { SIGN_IN_PROGRESS } from '../sign-in-if-needed.js'
import { describeSession } from './describe-session.js'

const METHODS = ['keystore', 'eid+keystore', 'eid', 'iam-connect'] as const

/** `ehagent login [--profile P] [--method keystore|eid+keystore|eid] [--json]`: sign in (the agent asks for the PIN/password). */
export const login: Command = async (ctx) => {
  const profile = optionString(ctx, 'profile')
  // `--with iam-connect` (the IAM Connect sign-in) is the same as `--method iam-connect`.
  const method = optionString(ctx, 'with') ?? optionString(ctx, 'method')
  if (method !== undefined && !(METHODS as readonly string[]).includes(method)) throw new UsageError('--method/--with must be keystore, eid+keystore, eid or iam-connect')
  const agent = await connectAgent(ctx)
  const s = await showProgress(
    ctx,
    SIGN_IN_PROGRESS,
    agent.call('session.login', { ...(profile ? { profile } : {}), ...(method ? { method: method as (typeof METHODS)[number] } : {}) }),
  )
  printResult(ctx, s, describeSession(ctx, s))
  return EXIT_CODES.ok
}
