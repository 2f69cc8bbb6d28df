import { AgentError, isAgentError } from '../../../protocol/errors.js'
import type { MethodName, MethodParams, MethodResults } from '../../../protocol/rpc/methods.js'
import type { CredentialFile } from './credential-file.js'

/** The part of AgentClient the host uses (a fake in tests). */
export interface AgentCaller {
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]>
}

/** Options of {@link createAgentSigner}; every side effect injected. */
export interface AgentSignerOptions {
  /** The extension the host serves (from the origin Chrome passed). */
  extensionId: string
  /** The agent's URL, looked up for each request (the agent may have restarted elsewhere). */
  findAgentUrl: () => Promise<string>
  credentials: CredentialFile
  /**
   * A client of the agent at `url`, authenticated with `credential` when given, naming the
   * website `webOrigin` when given (the agent takes it from this extension's credential only).
   */
  connect: (url: string, credential?: string, webOrigin?: string) => AgentCaller
  /** Told what could not be done but did not fail the request (a credential not saved). */
  log?: (line: string) => void
}

/** The pairing name the user approves and the privacy log shows for this extension. */
export function describeExtension(extensionId: string): string {
  return `Browser extension (${extensionId})`
}

/**
 * The host's way to the agent: a client like any other, under the extension's own pairing.
 *
 * The first request pairs (`client.pair`, which the user approves in the agent, naming the
 * extension), as a browser extension asking only for `soap.sign`; every request then names the
 * web page's origin, which the agent checks against its settings and the user's consent; the credential is kept owner-only for the next host
 * process. Concurrent first requests share one pairing, so the user is asked once. When the agent
 * no longer knows the credential (the user revoked the extension), it is forgotten and the request
 * fails; the next one asks the user again rather than silently undoing the revocation.
 */
export function createAgentSigner(options: AgentSignerOptions): { sign(params: MethodParams<'soap.sign'>, origin: string): Promise<MethodResults['soap.sign']> } {
  const name = describeExtension(options.extensionId)
  let current: string | undefined
  let obtaining: Promise<string> | undefined

  /** The stored credential, or a new pairing when there is none. */
  async function obtain(url: string): Promise<string> {
    const stored = await options.credentials.read()
    if (stored !== undefined) return stored
    // Paired as a browser extension: the agent then asks the user for each website it signs for.
    const paired = await options.connect(url).call('client.pair', { name, scopes: { methods: ['soap.sign'] }, kind: 'browser-extension' })
    try {
      await options.credentials.write(paired.credential)
    } catch (err) {
      // Still usable by this host process; the next one will ask for a pairing again.
      options.log?.(`could not save the pairing credential: ${(err as Error).message}`)
    }
    return paired.credential
  }

  return {
    async sign(params, origin) {
      const url = await options.findAgentUrl()
      // One lookup (and at most one pairing) for all the requests that arrive meanwhile.
      const credential = current ?? (await (obtaining ??= obtain(url).finally(() => (obtaining = undefined))))
      current = credential
      try {
        return await options.connect(url, credential, origin).call('soap.sign', params)
      } catch (err) {
        // A refusal by the guards carries a reason; a credential the agent does not know does not.
        if (isAgentError(err) && err.code === 'ERR_UNAUTHORIZED' && err.data.reason === undefined) {
          if (current === credential) current = undefined
          await options.credentials.remove()
          throw new AgentError('ERR_UNAUTHORIZED', 'the agent no longer knows this browser extension (its pairing was revoked); the next request asks the user to pair it again', {
            reason: 'pairing-revoked',
          })
        }
        throw err
      }
    },
  }
}
