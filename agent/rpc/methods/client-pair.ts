import { createHash, randomBytes } from 'node:crypto'
import { AgentError } from '../../../protocol/errors.js'
import { isProgramAllowed, raiseUsePolicy, refuseWeakerUsePolicy } from '../../../protocol/policy/policy-locks.js'
import { formatPairingCode, pairingCodeInput } from '../../../protocol/rpc/pairing-code.js'
import { readPairingAnswer } from '../../consent/prompter.js'
import { auditCallerOf, promptContextOf } from '../describe-caller.js'
import { defineMethod, type CallContext } from '../method-context.js'

/** What a paired application may do unless it asks for less. Admin methods stay with the local user. */
export const DEFAULT_PAIRED_METHODS = [
  'agent.status',
  'profiles.list',
  'session.login',
  'session.logout',
  'session.status',
  'token.info',
  'soap.sign',
  'soap.call',
] as const

/** A browser extension signs, nothing else: its pages may ask for soap.sign only. */
const EXTENSION_METHODS = ['soap.sign']

/**
 * `client.pair {name, scopes?, nonce?, usePolicy?, kind?}`: an application asks to be paired. The
 * user approves or denies in the agent's own UI, which shows the name, the program behind the
 * request as the OS reports it (executable, pid, user, command line: the name alone proves
 * nothing, threat T4), what it will be allowed to do, and the pairing code: six digits derived
 * from the application's `nonce`, which the application shows too (protocol/rpc/pairing-code.ts).
 * The user also chooses how each use will be confirmed. On approval the application receives its
 * credential, once, bound to the executable that paired.
 */
export const clientPair = defineMethod({
  name: 'client.pair',
  alwaysAllowed: true,
  async handle(params, ctx) {
    refuseUnlistedProgram(ctx, params.name)
    const kind = params.kind ?? 'application'
    const requested = (params.scopes?.methods ?? [...DEFAULT_PAIRED_METHODS]).filter((m) => (DEFAULT_PAIRED_METHODS as readonly string[]).includes(m))
    const methods = kind === 'browser-extension' ? EXTENSION_METHODS : requested
    const services = params.scopes?.services ?? ['*']
    // Without a nonce from the application the agent draws one: the page still shows a code, and
    // the result returns it, but the application could not show it while the user decided.
    const nonce = params.nonce ?? randomBytes(18).toString('base64url')
    const code = formatPairingCode(createHash('sha256').update(pairingCodeInput(nonce), 'utf8').digest())
    // An application asking for a use policy weaker than the admin policy's minimum is refused;
    // one asking for none gets the minimum preselected.
    const weaker = params.usePolicy !== undefined ? refuseWeakerUsePolicy(params.usePolicy, ctx.agent.policy.current) : undefined
    if (weaker) {
      ctx.agent.audit.record({ event: 'client.pair', ...auditCallerOf(ctx.caller), client: { name: params.name }, method: 'client.pair', outcome: 'rejected', errorCode: weaker.code })
      throw weaker
    }
    const minimum = ctx.agent.policy.policy.minimumUsePolicy
    const suggested = raiseUsePolicy(params.usePolicy, minimum)
    const answer = readPairingAnswer(
      await ctx.agent.prompter.approvePairing(
        {
          ...promptContextOf(ctx.caller),
          client: params.name,
          scopes: { methods, services },
          code,
          codeShownByApplication: params.nonce !== undefined,
          kind,
          usePolicy: suggested,
          ...(minimum !== undefined ? { minimumUsePolicy: { level: minimum, source: ctx.agent.policy.source } } : {}),
        },
        // The application going away (Ctrl-C in `ehagent pair`) withdraws the request.
        ctx.signal ? { signal: ctx.signal } : {},
      ),
    )
    const who = auditCallerOf(ctx.caller)
    ctx.agent.audit.record({ event: 'client.pair', ...who, client: { name: params.name }, method: 'client.pair', outcome: answer.approved ? 'ok' : 'rejected' })
    if (!answer.approved) throw new AgentError('ERR_PAIRING_DENIED')
    // A page submitted with a weaker choice than it offered (forced) still gets the minimum.
    const usePolicy = raiseUsePolicy(answer.usePolicy ?? suggested, ctx.agent.policy.policy.minimumUsePolicy)
    const program = ctx.caller.program
    const process = program ? { pid: program.pid, executable: program.executable, ...(program.user ? { user: program.user } : {}), ...(program.commandLine ? { commandLine: program.commandLine } : {}) } : undefined
    const { client, credential } = await ctx.agent.clients.add(params.name, { methods, services }, process, { kind, usePolicy })
    return { clientId: client.clientId, credential, scopes: client.scopes, pairingCode: code, usePolicy }
  },
})

/**
 * An admin policy listing programs lets only those be paired, named by the executable the OS
 * reports for the connection (never by the name the program gives itself). A caller whose
 * executable is not known is refused too: the policy is a list of what is allowed.
 */
function refuseUnlistedProgram(ctx: CallContext, name: string): void {
  const allowed = ctx.agent.policy.policy.allowedPrograms
  const executable = ctx.caller.program?.executable
  if (isProgramAllowed(executable, allowed)) return
  ctx.agent.audit.record({ event: 'client.pair', ...auditCallerOf(ctx.caller), client: { name }, method: 'client.pair', outcome: 'rejected', errorCode: 'ERR_POLICY_DENIED' })
  throw new AgentError('ERR_POLICY_DENIED', `the program ${executable ?? '(not identified)'} may not be paired: it is not among the programs your administrator's policy ${ctx.agent.policy.source} allows`, {
    ...(executable ? { executable } : {}),
    source: ctx.agent.policy.source,
    policyField: 'allowedPrograms',
  })
}
