import { UsageError, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'

/**
 * `ehagent settings [--json]`: the settings in effect, those the admin policy fixes marked as
 * such, and the policy's place. `ehagent settings set NAME VALUE`: change one in the settings
 * file (several entries: separated by commas or newlines); one the policy fixes is refused
 * (ERR_SETTING_LOCKED, naming the setting and the policy).
 */
export const settings: Command = async (ctx) => {
  const [action, name, ...rest] = ctx.args.positional
  if (action === undefined || action === 'list') {
    const agent = await connectAgent(ctx)
    const view = await agent.call('settings.get')
    const locked = new Map(view.locked.map((l) => [l.setting, l.policyField]))
    const lines = Object.entries(flatten(view.settings)).map(([key, value]) => {
      const lock = [...locked.keys()].some((l) => l === key) ? `  (locked: set by your administrator's policy ${view.policy.source})` : ''
      return `${key} = ${JSON.stringify(value)}${lock}`
    })
    lines.push(view.policy.present ? `admin policy: ${view.policy.source}` : `admin policy: none (${view.policy.source} does not exist)`)
    printResult(ctx, view, lines.join('\n'))
    return EXIT_CODES.ok
  }
  if (action === 'set') {
    if (name === undefined || rest.length === 0) throw new UsageError('ehagent settings set needs a setting and a value: ehagent settings set NAME VALUE')
    const value = rest.join(' ').split(',').map((part) => part.trim()).join('\n')
    const agent = await connectAgent(ctx)
    const result = await agent.call('settings.set', { name, value })
    printResult(ctx, result, result.changed ? `${name} saved; it applies when the agent starts again` : `${name} unchanged`)
    return EXIT_CODES.ok
  }
  throw new UsageError(`unknown settings action "${action}": use \`ehagent settings\` or \`ehagent settings set NAME VALUE\``)
}

/** `{login: {method: x}}` → `{'login.method': x}`: the names `settings set` takes. */
function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) Object.assign(out, flatten(item as Record<string, unknown>, `${prefix}${key}.`))
    else out[`${prefix}${key}`] = item
  }
  return out
}
