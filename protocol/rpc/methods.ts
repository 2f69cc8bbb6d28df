/**
 * The agent's JSON-RPC methods: names, param schemas (validated by the agent before any work)
 * and result types (what clients get). Shared by the agent and every client; browser-safe.
 *
 * @module
 */
import * as z from 'zod'
import { PAIRING_NONCE_PATTERN } from './pairing-code.js'

const profileId = z.string().min(1).max(64)
/** How the user confirms each use by a paired application: not at all, a notice, or a question each time. */
const usePolicy = z.enum(['silent', 'notify', 'ask'])
const envelope = z.string().min(1).max(64 * 1024 * 1024)

/** Param schemas, one per method. Unknown keys are refused (`strict`), so typos do not pass silently. */
export const METHOD_PARAMS = {
  'agent.status': z.object({}).strict(),
  'profiles.list': z.object({}).strict(),
  'keys.list': z.object({}).strict(),
  'session.login': z
    .object({
      profile: profileId.optional(),
      /** How to sign in; default from the agent's configuration. */
      method: z.enum(['keystore', 'eid+keystore', 'eid', 'iam-connect']).optional(),
      /** For the mandate profile: the service the mandate is for. */
      mandateService: z.string().min(1).max(128).optional(),
    })
    .strict(),
  'session.logout': z.object({}).strict(),
  'session.switchProfile': z.object({ profile: profileId, mandateService: z.string().min(1).max(128).optional() }).strict(),
  'session.importToken': z.object({ token: z.string().min(1).max(1024 * 1024) }).strict(),
  'session.status': z.object({}).strict(),
  'token.info': z.object({}).strict(),
  'soap.sign': z
    .object({
      envelope,
      profile: z.enum(['saml-hok', 'x509']).optional(),
      algorithm: z.enum(['rsa-sha256', 'rsa-sha1']).optional(),
    })
    .strict(),
  'soap.call': z
    .object({
      endpoint: z.string().url().max(2048),
      envelope,
      soapAction: z.string().max(1024).optional(),
      profile: z.enum(['saml-hok', 'x509']).optional(),
    })
    .strict(),
  'client.pair': z
    .object({
      name: z.string().min(1).max(100),
      scopes: z
        .object({ methods: z.array(z.string().max(64)).max(32).optional(), services: z.array(z.string().max(2048)).max(64).optional() })
        .strict()
        .optional(),
      /**
       * A fresh random value (16..128 base64url characters) from which the application computes
       * the pairing code it shows while the user approves (protocol/rpc/pairing-code.ts).
       */
      nonce: z.string().regex(PAIRING_NONCE_PATTERN, 'a nonce is 16 to 128 base64url characters').optional(),
      /** The use policy the application suggests; the user chooses on the pairing page. */
      usePolicy: usePolicy.optional(),
      /** `browser-extension`: the native messaging host of a browser extension, which signs for the websites the user allows. */
      kind: z.enum(['application', 'browser-extension']).optional(),
    })
    .strict(),
  'client.list': z.object({}).strict(),
  'client.revoke': z.object({ clientId: z.string().min(1).max(64) }).strict(),
  'audit.list': z
    .object({
      limit: z.number().int().min(1).max(1000).optional(),
      /** Records at or after this time (ISO 8601). `since` is the older name of the same filter. */
      from: z.string().datetime({ offset: true }).optional(),
      since: z.string().datetime({ offset: true }).optional(),
      /** Records at or before this time (ISO 8601). */
      to: z.string().datetime({ offset: true }).optional(),
      /** A client's id or its name, exactly. */
      client: z.string().min(1).max(128).optional(),
      event: z.string().min(1).max(64).optional(),
      method: z.string().max(64).optional(),
      outcome: z.enum(['ok', 'error', 'rejected']).optional(),
    })
    .strict(),
  /** A fresh one-time link to one of the agent's own pages; the local user's credential only. */
  'ui.link': z.object({ page: z.enum(['status', 'settings', 'clients', 'audit', 'import']).optional() }).strict(),
  /** The settings in effect, and which of them the admin policy fixes. */
  'settings.get': z.object({}).strict(),
  /**
   * Change one setting in the user's settings file, as the settings page would: `value` is the
   * text the page's field takes (several entries: one per line). Refused with ERR_SETTING_LOCKED
   * when the admin policy fixes it.
   */
  'settings.set': z.object({ name: z.string().min(1).max(64), value: z.string().max(64 * 1024) }).strict(),
} as const

export type MethodName = keyof typeof METHOD_PARAMS
export const METHOD_NAMES = Object.keys(METHOD_PARAMS) as MethodName[]
export type MethodParams<M extends MethodName> = z.infer<(typeof METHOD_PARAMS)[M]>

/** Token facts safe to show (never the assertion itself). */
export interface TokenSummary {
  assertionId: string
  subject: string
  profile: { id: string; label: string }
  notBefore: string
  notOnOrAfter: string
  renewAt: string
  origin: 'sts' | 'imported' | 'iam-connect'
  /** For a token exchanged from IAM Connect: the person behind it (IAM eXchange Annex A §1.5). */
  realIdentity?: { issuer: string; subject: string; name?: string }
}

export interface SessionStatus {
  state: 'signed-out' | 'signed-in'
  environment: string
  token?: TokenSummary
}

/** Result types, one per method. */
export interface MethodResults {
  'agent.status': { version: string; pid: number; environment: string; methods: MethodName[]; session: SessionStatus; privacyLog: PrivacyLogStatus }
  'profiles.list': { profiles: { id: string; label: string; kind: string }[] }
  'keys.list': { keys: { role: 'identification' | 'holder-of-key'; kind: string; label: string; subject?: string; loginState: string }[] }
  'session.login': SessionStatus
  'session.logout': SessionStatus
  'session.switchProfile': SessionStatus
  'session.importToken': SessionStatus
  'session.status': SessionStatus
  'token.info': TokenSummary
  'soap.sign': { envelope: string; assertionId: string; signedAt: string }
  'soap.call': { status: number; envelope: string; assertionId: string }
  'client.pair': {
    clientId: string
    credential: string
    scopes: { methods: string[]; services: string[] }
    /** The code the pairing page showed (six digits; see protocol/rpc/pairing-code.ts). */
    pairingCode: string
    usePolicy: UsePolicy
  }
  'client.list': {
    clients: ClientSummary[]
    /** The admin policy's minimum use policy, when it sets one, and the policy's file or key. */
    minimumUsePolicy?: { level: UsePolicy; source: string }
  }
  'client.revoke': { revoked: boolean }
  'audit.list': { records: AuditRecord[] }
  /** `url` works once, until `expiresAt`, in the browser that opens it first. */
  'ui.link': { url: string; page: string; expiresAt: string }
  'settings.get': SettingsView
  'settings.set': { name: string; changed: boolean; restart: boolean }
}

/** How the user confirms each use by a paired application. */
export type UsePolicy = z.infer<typeof usePolicy>

/** A program as the operating system reported it: never what the application says of itself. */
export interface ProgramSummary {
  /** The executable's file name (`curl`, `python3.11`). */
  name: string
  /** Its absolute path. */
  executable: string
  pid?: number
  /** Login name of the process owner. */
  user?: string
  /** The program and at most its first script-like argument, never options or their values. */
  commandLine?: string
}

/** A paired application as `client.list` shows it. */
export interface ClientSummary {
  clientId: string
  name: string
  pairedAt: string
  lastUsedAt?: string
  scopes: { methods: string[]; services: string[] }
  kind: 'application' | 'browser-extension'
  /** The use policy in effect: the client's own, raised to the admin policy's minimum. */
  usePolicy: UsePolicy
  /** The client's own choice, when the admin policy's minimum raised it (see `minimumUsePolicy`). */
  raisedFrom?: UsePolicy
  /** The executables the credential is bound to (empty: the OS did not say at pairing). */
  executables: string[]
  /** For a browser extension: the websites the user allowed, each revocable. */
  origins: { origin: string; approvedAt: string }[]
}

/**
 * One privacy-log record (IAM eXchange Annex A §1.5): who, when, what, with which token, how it
 * ended. Never a body.
 */
export interface AuditRecord {
  time: string
  event: string
  client?: { id?: string; name: string; pid?: number; executable?: string }
  method?: string
  service?: { endpoint?: string; soapAction?: string; operation?: string }
  token?: { assertionId: string; subject: string; profile?: string; realIdentity?: { issuer: string; subject: string; name?: string } }
  /** The `Id` of the `ds:Signature` handed out (soap.sign, soap.call): which signature this record is for. */
  signatureId?: string
  /** The program behind the call, as the operating system reported it. */
  program?: ProgramSummary
  /** The website behind a browser extension's call, as the browser reported it. */
  origin?: string
  /** When a credential was refused for coming from another program: the executables it is bound to. */
  pairedExecutables?: string[]
  outcome: 'ok' | 'error' | 'rejected'
  errorCode?: string
}

/**
 * The privacy log's health, for `agent.status`, the tray and `ehagent doctor`. `nearly-full`
 * warns ahead; `full` means the disk budget is reached and every use of the token (soap.sign,
 * soap.call, sign-in) is refused with ERR_AUDIT_FULL; `failing` means the last write failed.
 */
export interface PrivacyLogStatus {
  state: 'ok' | 'nearly-full' | 'full' | 'failing'
  usedBytes: number
  budgetBytes: number
  /** Where the warning starts, in bytes. */
  warnBytes: number
  retentionMonths: number
  /** The oldest record kept, when there is one. */
  oldestRecord?: string
  files: number
  /** Records other than uses of the token that could not be kept because the budget was exceeded. */
  droppedRecords: number
  /** What is wrong and what to do, when the state is not ok. */
  message?: string
}

/**
 * Param names that would carry a secret. None is ever accepted over the API (threat T10): the
 * agent asks the user itself.
 */
export const FORBIDDEN_PARAM_PATTERN = /pin|passw|passphrase|secret|puk/i

/** The settings as `settings.get` shows them: secrets never included. */
export interface SettingsView {
  /** The settings in effect (the user's, with the policy's values written over them). */
  settings: Record<string, unknown>
  /** Settings the admin policy fixes: they cannot be changed by the user. */
  locked: { setting: string; policyField: string }[]
  /** The admin policy: where it is read from, and whether there is one. */
  policy: { source: string; present: boolean }
}
