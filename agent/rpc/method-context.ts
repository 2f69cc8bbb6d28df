import type { Environment } from '../../protocol/environments.js'
import type { MethodName, MethodParams, MethodResults } from '../../protocol/rpc/methods.js'
import type { AuditLog } from '../audit.js'
import type { Clock } from '../clock.js'
import type { Prompter } from '../consent/prompter.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { KeySource } from '../keys/key-source.js'
import type { PolicyState } from '../policy/policy-state.js'
import type { ClientScopes, PairedClients } from '../pairing/paired-clients.js'
import type { Session } from '../session/session.js'
import type { SoapPoster } from '../sts-client.js'

/** Who is calling, as established by the credential (and the OS where it tells us). */
export interface Caller {
  /** Paired client id, or 'local' for the same user's CLI (local credential file). */
  id: string
  name: string
  scopes: ClientScopes
  process?: { pid?: number; executable?: string; user?: string }
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
  /** Sign-in through eHealth IAM Connect (issue 8): where the user is sent, and the key bound. */
  iamConnect: { issuer: string; openUrl: (url: string) => Promise<void>; holderOfKey: () => KeySource }
}

export interface CallContext {
  caller: Caller
  agent: AgentServices
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
