/**
 * What a paired credential may do depends on where it is used from, not only on the secret:
 *
 * - **The program** (threat T4, copied credentials): a credential is bound to the executable that
 *   paired. Used from another one (`/usr/bin/python3.11` with a credential `/usr/bin/curl` paired
 *   for) it is refused, audited with both, unless the user approves that program too; approving
 *   binds it as well. Binding by executable cannot tell two scripts of one interpreter apart: the
 *   prompt and the log show the command line for that.
 * - **The website** behind a browser extension: the extension's host names the page's origin (as
 *   the browser reported it) in a header the agent takes from that client only. The origin must
 *   be one the settings allow (the admin's list; empty by default; an admin policy's
 *   `allowedWebOrigins` replaces it), and the user approves each
 *   one once ("https://app.example.be wants to sign eHealth requests as you"), revocable in the
 *   admin pages. Any other client naming a website is refused.
 */
import { AgentError } from '../../protocol/errors.js'
import { checkWebOrigin } from '../../protocol/browser-extension/web-origin.js'
import { auditCallerOf, promptContextOf } from '../rpc/describe-caller.js'
import type { AgentServices, Caller } from '../rpc/method-context.js'
import type { PairedClient } from './paired-clients.js'

/** A refusal the caller can act on: `reason` says which rule, `hint` what to do. */
function refuse(reason: string, message: string, hint: string): AgentError {
  return new AgentError('ERR_UNAUTHORIZED', message, { reason, hint })
}

/**
 * The caller this request may act as, once its program and its website are admitted: the same
 * caller with `origin` set for a browser extension. Throws ERR_UNAUTHORIZED (or
 * ERR_PAIRING_DENIED when the user refuses a website), every refusal in the privacy log.
 */
export async function admitCaller(caller: Caller, client: PairedClient | undefined, webOrigin: string | undefined, services: Pick<AgentServices, 'prompter' | 'clients' | 'audit' | 'allowedWebOrigins' | 'policy'>): Promise<Caller> {
  const rejected = (who: Caller, errorCode: string, extra: { pairedExecutables?: string[] } = {}) =>
    services.audit.record({ event: 'rejected', ...auditCallerOf(who), ...extra, outcome: 'rejected', errorCode })

  if (client?.executables && client.executables.length > 0) {
    const executable = caller.program?.executable
    if (executable === undefined || !client.executables.includes(executable)) {
      const approved =
        executable !== undefined &&
        (await services.prompter.approve({ ...promptContextOf(caller), kind: 'program', clientId: client.clientId, boundExecutables: [...client.executables] }).catch(() => false))
      if (!approved) {
        rejected(caller, executable === undefined ? 'program-unknown' : 'other-program', { pairedExecutables: [...client.executables] })
        throw executable === undefined
          ? refuse('program-unknown', 'the program using this credential could not be identified', 'use the credential from the program it was paired for')
          : refuse('other-program', `this credential was paired for another program, not ${executable}`, 'pair this program itself (client.pair), or ask the user to allow it')
      }
      await services.clients.addExecutable(client.clientId, executable)
      services.audit.record({ event: 'client.program', ...auditCallerOf(caller), pairedExecutables: [...client.executables], outcome: 'ok' })
    }
  }

  if (client?.kind !== 'browser-extension') {
    if (webOrigin !== undefined) {
      rejected({ ...caller, origin: webOrigin.slice(0, 200) }, 'web-origin-not-expected')
      throw refuse('web-origin-not-expected', 'only a browser extension names the website it signs for', 'send no web-origin header')
    }
    return caller
  }

  if (webOrigin === undefined || checkWebOrigin(webOrigin) !== undefined) {
    rejected(caller, 'web-origin-missing')
    throw refuse('web-origin-missing', 'a browser extension must name the website it asks for', 'update the extension and its native host')
  }
  const withOrigin: Caller = { ...caller, origin: webOrigin }
  // The admin policy's list replaces the user's: a website outside it is refused even if the user
  // allowed it before (read at each request, so a policy change applies to the next one).
  const fixed = services.policy.policy.allowedWebOrigins
  if (fixed !== undefined && !fixed.includes(webOrigin)) {
    rejected(withOrigin, 'origin-not-in-policy')
    throw new AgentError('ERR_POLICY_DENIED', `${webOrigin} is not among the websites your administrator's policy ${services.policy.source} allows`, {
      reason: 'origin-not-in-policy',
      origin: webOrigin,
      source: services.policy.source,
      policyField: 'allowedWebOrigins',
    })
  }
  if (!services.allowedWebOrigins().includes(webOrigin)) {
    rejected(withOrigin, 'origin-not-allowed')
    throw refuse('origin-not-allowed', `${webOrigin} may not use the agent`, 'the administrator lists the websites allowed in the agent settings (allowedWebOrigins)')
  }
  if (!client.origins?.some((o) => o.origin === webOrigin)) {
    const approved = await services.prompter.approve({ ...promptContextOf(withOrigin), kind: 'origin', clientId: client.clientId, origin: webOrigin })
    if (!approved) {
      rejected(withOrigin, 'origin-denied')
      throw new AgentError('ERR_PAIRING_DENIED', `the user did not allow ${webOrigin}`, { reason: 'origin-denied' })
    }
    await services.clients.addOrigin(client.clientId, webOrigin)
    services.audit.record({ event: 'origin.allow', ...auditCallerOf(withOrigin), outcome: 'ok' })
  }
  return withOrigin
}
