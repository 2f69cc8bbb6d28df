import { optionString, UsageError, wantsJson, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { readInput } from '../read-input.js'
import { showProgress } from '../show-progress.js'
import { signInIfNeeded } from '../sign-in-if-needed.js'

/**
 * `ehagent call ENDPOINT FILE [--soap-action A] [--x509] [--json]`: the agent signs FILE and
 * posts it to ENDPOINT (one of the environment's services or the admin's allowlist); the answer
 * envelope goes to stdout.
 */
export const call: Command = async (ctx) => {
  const [endpoint, file] = ctx.args.positional
  if (!endpoint || !file) throw new UsageError('ehagent call needs the endpoint and the envelope file: ehagent call https://…/v1 request.xml [--soap-action A]')
  if (!URL.canParse(endpoint)) throw new UsageError(`"${endpoint}" is not a URL`)
  const soapAction = optionString(ctx, 'soap-action')
  const envelope = await readInput(ctx, file)
  const agent = await connectAgent(ctx)
  await signInIfNeeded(ctx, agent)
  const answer = await showProgress(
    ctx,
    `calling ${endpoint}…`,
    agent.call('soap.call', {
      endpoint,
      envelope,
      ...(soapAction !== undefined ? { soapAction } : {}),
      ...(ctx.args.options.x509 === true ? { profile: 'x509' as const } : {}),
    }),
  )
  if (wantsJson(ctx)) printResult(ctx, answer, '')
  else ctx.stdout.write(answer.envelope)
  return EXIT_CODES.ok
}
