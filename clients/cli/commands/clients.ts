import { UsageError, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { tellTime } from '../tell-time.js'

/**
 * `ehagent clients [--json]`: the paired applications; `ehagent clients revoke ID`: the
 * application's credential stops working on its next call (threat T8).
 */
export const clients: Command = async (ctx) => {
  const [action, id] = ctx.args.positional
  if (action === undefined || action === 'list') {
    const agent = await connectAgent(ctx)
    const { clients: list, minimumUsePolicy } = await agent.call('client.list')
    const raised = (from: string | undefined) => (from !== undefined && minimumUsePolicy ? ` (its own: ${from}; at least ${minimumUsePolicy.level} by your administrator's policy ${minimumUsePolicy.source})` : '')
    printResult(
      ctx,
      list,
      list
        .map(
          (c) =>
            `${c.clientId}  ${c.name}  paired ${tellTime(ctx, c.pairedAt)}${c.lastUsedAt ? `, last used ${tellTime(ctx, c.lastUsedAt)}` : ''}\n    may call ${c.scopes.methods.join(', ')}; services ${c.scopes.services.join(', ')}; each use: ${c.usePolicy}${raised(c.raisedFrom)}` +
            `\n    programs ${c.executables.length > 0 ? c.executables.join(', ') : 'any (not known at pairing)'}` +
            (c.kind === 'browser-extension' ? `\n    websites ${c.origins.map((o) => o.origin).join(', ') || 'none yet'}` : ''),
        )
        .join('\n') || '(no paired applications)',
    )
    return EXIT_CODES.ok
  }
  if (action === 'revoke') {
    if (!id) throw new UsageError('ehagent clients revoke needs the client id (see `ehagent clients`)')
    const agent = await connectAgent(ctx)
    const result = await agent.call('client.revoke', { clientId: id })
    printResult(ctx, { clientId: id, ...result }, result.revoked ? `revoked ${id}: its next call is refused` : `no paired application ${id}`)
    return result.revoked ? EXIT_CODES.ok : EXIT_CODES.invalidInput
  }
  throw new UsageError(`unknown clients action "${action}": use \`ehagent clients\` or \`ehagent clients revoke ID\``)
}
