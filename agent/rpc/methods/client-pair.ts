import { createHash, randomBytes } from 'node:crypto'
import { AgentError } from '../../../protocol/errors.js'
import { formatPairingCode, pairingCodeInput } from '../../../protocol/rpc/pairing-code.js'
import { readPairingAnswer } from '../../consent/prompter.js'
import { auditCallerOf, promptContextOf } from '../describe-caller.js'
import { defineMethod } from '../method-context.js'

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
    const kind = params.kind ?? 'application'
    const requested = (params.scopes?.methods ?? [...DEFAULT_PAIRED_METHODS]).filter((m) => (DEFAULT_PAIRED_METHODS as readonly string[]).includes(m))
    const methods = kind === 'browser-extension' ? EXTENSION_METHODS : requested
    const services = params.scopes?.services ?? ['*']
    // Without a nonce from the application the agent draws one: the page still shows a code, and
    // the result returns it, but the application could not show it while the user decided.
    const nonce = params.nonce ?? randomBytes(18).toString('base64url')
    const code = formatPairingCode(createHash('sha256').update(pairingCodeInput(nonce), 'utf8').digest())
    const suggested = params.usePolicy ?? 'silent'
    const answer = readPairingAnswer(
      await ctx.agent.prompter.approvePairing({
        ...promptContextOf(ctx.caller),
        client: params.name,
        scopes: { methods, services },
        code,
        codeShownByApplication: params.nonce !== undefined,
        kind,
        usePolicy: suggested,
      }),
    )
    const who = auditCallerOf(ctx.caller)
    ctx.agent.audit.record({ event: 'client.pair', ...who, client: { name: params.name }, method: 'client.pair', outcome: answer.approved ? 'ok' : 'rejected' })
    if (!answer.approved) throw new AgentError('ERR_PAIRING_DENIED')
    const usePolicy = answer.usePolicy ?? suggested
    const program = ctx.caller.program
    const process = program ? { pid: program.pid, executable: program.executable, ...(program.user ? { user: program.user } : {}), ...(program.commandLine ? { commandLine: program.commandLine } : {}) } : undefined
    const { client, credential } = await ctx.agent.clients.add(params.name, { methods, services }, process, { kind, usePolicy })
    return { clientId: client.clientId, credential, scopes: client.scopes, pairingCode: code, usePolicy }
  },
})
