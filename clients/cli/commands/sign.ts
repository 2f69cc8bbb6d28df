import { optionString, UsageError, wantsJson, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { readInput } from '../read-input.js'
import { signInIfNeeded } from '../sign-in-if-needed.js'

/** `ehagent sign FILE [--x509] [--algorithm rsa-sha1] [--json]`: the signed envelope on stdout, signing in first if needed. */
export const sign: Command = async (ctx) => {
  const file = ctx.args.positional[0]
  if (!file) throw new UsageError('ehagent sign needs the envelope file: ehagent sign request.xml > signed.xml')
  const algorithm = optionString(ctx, 'algorithm')
  if (algorithm !== undefined && algorithm !== 'rsa-sha256' && algorithm !== 'rsa-sha1') throw new UsageError('--algorithm must be rsa-sha256 or rsa-sha1')
  const envelope = await readInput(ctx, file)
  const agent = await connectAgent(ctx)
  await signInIfNeeded(ctx, agent)
  const signed = await agent.call('soap.sign', {
    envelope,
    ...(ctx.args.options.x509 === true ? { profile: 'x509' as const } : {}),
    ...(algorithm ? { algorithm } : {}),
  })
  if (wantsJson(ctx)) printResult(ctx, signed, '')
  else ctx.stdout.write(signed.envelope)
  return EXIT_CODES.ok
}
