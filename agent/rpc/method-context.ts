import type { Environment } from '../../protocol/environments.js'
import type { MethodName, MethodParams, MethodResults, UsePolicy } from '../../protocol/rpc/methods.js'
import type { AuditLog } from '../audit.js'
import type { CallerProgram } from '../callers/caller-program.js'
import type { Clock } from '../clock.js'
import type { Prompter } from '../consent/prompter.js'
import type { HttpFetch } from '../http-transport.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { KeySource } from '../keys/key-source.js'
import type { PolicyState } from '../policy/policy-state.js'
import type { ClientScopes, PairedClients } from '../pairing/paired-clients.js'
import type { Session } from '../session/session.js'
import type { AdminPage } from '../ui/ui-access.js'
import type { SoapPoster } from '../sts-client.js'

/** Who is calling, as established by the credential (and the OS where it tells us). */
export interface Caller {
  /** Paired client id, or 'local' for the same user's CLI (local credential file). */
  id: string
  name: string
  scopes: ClientScopes
  process?: { pid?: number; executable?: string; user?: string }
  /** The program behind the connection, as the OS reported it (agent/callers); never from the caller. */
  program?: CallerProgram
  /** The website behind a browser extension's request, as the browser reported it. */
  origin?: string
  /** How each use is confirmed; absent: silent (the user's own tools, the pages, the tray). */
  usePolicy?: UsePolicy
}

/** The agent's parts a method may use; built once at start-up. */
export interface AgentServices {
  version: string
  pid: number
  environment: Environment
  session: Session
  keys: KeyRing
  prompter: Prompter
  audit: AuditLog
  clients: PairedClients
  post: SoapPoster
  clock: Clock
  /** A fresh random id (NCName-safe). */
  newId: () => string
  /** Profile used when a caller does not name one. */
  defaultProfile: string
  /** Extra endpoints soap.call may reach besides the environment's service list. */
  serviceAllowlist: readonly string[]
  /** The admin policy in force now (read at each decision: a change applies without a restart). */
  policy: PolicyState
  /** The user's settings file (settings.get / settings.set change it as the settings page does). */
  settingsFile: string
  /**
   * The websites the browser extension may sign for, from the settings (read at each request: the
   * settings page changes them). Empty: none, whatever the extension's manifest lets in.
   */
  allowedWebOrigins: () => readonly string[]
  /**
   * Sign-in through eHealth IAM Connect: where the user is sent, the key bound, and the agent's
   * HTTP client as `fetch` (its proxy, extra CAs and deadline).
   */
  iamConnect: { issuer: string; openUrl: (url: string) => Promise<void>; holderOfKey: () => KeySource; fetch: HttpFetch }
  /** A fresh one-time link to an admin page, and until when it works (ui.link; the tray makes its own). */
  adminLink: (page: AdminPage) => { url: string; expiresAt: Date }
}

export interface CallContext {
  caller: Caller
  agent: AgentServices
  /**
   * Aborted when the caller's connection closes before the answer (Ctrl-C in the CLI): what the
   * call waits for from the user (a sign-in, a pairing) is withdrawn.
   */
  signal?: AbortSignal
}

/** One JSON-RPC method: its name and its handler; params arrive validated by its schema. */
export interface MethodHandler<M extends MethodName = MethodName> {
  name: M
  /** Methods any authenticated caller may use whatever its scopes (status, pairing itself). */
  alwaysAllowed?: boolean
  handle(params: MethodParams<M>, ctx: CallContext): Promise<MethodResults[M]>
}

/** Helper so each method file gets its types checked against the method catalogue. */
export function defineMethod<M extends MethodName>(handler: MethodHandler<M>): MethodHandler<M> {
  return handler
}
