/**
 * A paired application's use policy, applied to one signature (chosen at pairing, changed in the
 * admin pages): `silent`, `notify` (a notice names the program and the operation), or `ask` (the
 * user confirms each message, seeing what the agent itself parsed of it — threat T9: never what
 * the caller says the message is).
 */
import { AgentError } from '../../protocol/errors.js'
import { auditCallerOf, promptContextOf } from './describe-caller.js'
import type { CallContext } from './method-context.js'

/** One use, as the confirmation shows it. */
export interface UseFacts {
  method: 'soap.sign' | 'soap.call'
  endpoint?: string
  soapAction?: string
  /** The Body's first element, `{namespace}localName`, from the agent's parse. */
  bodyRoot: string
}

/** Under `ask`, wait for the user's yes; a no is ERR_USER_CANCELLED (audited). Other policies pass. */
export async function confirmUse(ctx: CallContext, use: UseFacts): Promise<void> {
  if (ctx.caller.usePolicy !== 'ask') return
  // A caller that goes away (its connection closed) withdraws the question.
  const approved = await ctx.agent.prompter.approve({ ...promptContextOf(ctx.caller), kind: 'use', ...use }, ctx.signal ? { signal: ctx.signal } : undefined)
  if (approved) return
  ctx.agent.audit.record({
    event: use.method,
    ...auditCallerOf(ctx.caller),
    method: use.method,
    service: { ...(use.endpoint ? { endpoint: use.endpoint } : {}), ...(use.soapAction ? { soapAction: use.soapAction } : {}), operation: use.bodyRoot },
    outcome: 'rejected',
    errorCode: 'ERR_USER_CANCELLED',
  })
  throw new AgentError('ERR_USER_CANCELLED', 'the user did not allow this message to be signed', { reason: 'use-denied' })
}

/** Under `notify`, tell the user (tray and terminal) which program had which operation signed. */
export function notifyUse(ctx: CallContext, use: UseFacts): void {
  if (ctx.caller.usePolicy !== 'notify') return
  const program = ctx.caller.program ? ` (${ctx.caller.program.executable}, pid ${ctx.caller.program.pid})` : ''
  const site = ctx.caller.origin ? ` for ${ctx.caller.origin}` : ''
  const verb = use.method === 'soap.call' ? `called ${use.endpoint ?? ''} ` : 'had signed '
  const who = `${ctx.caller.name}${program}${site}`
  const operation = use.soapAction || use.bodyRoot
  ctx.agent.prompter.notify({ kind: 'used', who, operation, text: `${who} ${verb}${operation}`.replace(/\s+/g, ' ').trim() })
}

/**
 * `{urn:be:fgov:ehealth:…}GetInsurabilityRequest`, or `(empty Body)`: the Body's first element as
 * the splitter's single pass found it (the one that is signed), without building a DOM of the
 * envelope, which for a 10 MB envelope costs more than signing it.
 */
export function describeBodyRoot(root: { namespace: string; localName: string } | undefined): string {
  if (!root) return '(empty Body)'
  return root.namespace ? `{${root.namespace}}${root.localName}` : root.localName
}
