/**
 * The one error type of ehealth-agent and its code table.
 *
 * Every failure that reaches a caller carries a stable string `code` (clients switch on it) and,
 * on the wire, a JSON-RPC number from one table: the standard -32700..-32603 for protocol errors,
 * and bands of -32000..-32099 for domain errors (access, user, session, remote, input, local).
 * Browser-safe: no Node types.
 *
 * @module
 */

/**
 * The code table. `rpc` is the JSON-RPC `error.code`; `message` the default text, short and
 * lower-case; `hint` what the caller or the user can do about it.
 */
export const ERROR_CODES = {
  // JSON-RPC 2.0 §5.1, the standard protocol errors
  ERR_PARSE: { rpc: -32700, message: 'request is not valid JSON', hint: 'send a JSON-RPC 2.0 request body' },
  ERR_INVALID_REQUEST: { rpc: -32600, message: 'not a valid JSON-RPC 2.0 request', hint: 'send {"jsonrpc":"2.0","method":...,"id":...}' },
  ERR_METHOD_NOT_FOUND: { rpc: -32601, message: 'method not found', hint: 'call agent.status to see the methods this agent offers' },
  ERR_INVALID_PARAMS: { rpc: -32602, message: 'invalid params', hint: 'see error.data.issues for which param is wrong' },
  ERR_INTERNAL: { rpc: -32603, message: 'internal error', hint: 'see the agent log; the agent keeps serving' },

  // -32001..-32009: who may call
  ERR_UNAUTHORIZED: { rpc: -32001, message: 'missing or unknown client credential', hint: 'pair the application with client.pair, or use the local credential file' },
  ERR_SCOPE: { rpc: -32002, message: 'this client is not allowed to do that', hint: 'ask the user to pair the application again with the needed scope' },
  ERR_RATE_LIMITED: { rpc: -32003, message: 'too many requests from this client', hint: 'slow down and retry after error.data.retryAfterMs' },
  ERR_PAIRING_DENIED: { rpc: -32004, message: 'the user denied pairing', hint: 'the user must approve the application in the agent' },
  ERR_FORBIDDEN_PARAM: { rpc: -32005, message: 'secrets are never accepted over the API', hint: 'the agent asks the user for the PIN or password itself' },

  // -32010..-32019: the user and the key source
  ERR_USER_CANCELLED: { rpc: -32010, message: 'the user cancelled', hint: 'try again when the user is ready' },
  ERR_USER_TIMEOUT: { rpc: -32011, message: 'the user did not answer in time', hint: 'try again when the user is at the computer' },
  ERR_PIN_INCORRECT: { rpc: -32012, message: 'the PIN is incorrect', hint: 'see error.data.retriesLeft; the agent never retries a PIN by itself' },
  ERR_PIN_LOCKED: { rpc: -32013, message: 'the PIN is locked', hint: 'unblock the card with its PUK at the municipality or with the eID software' },
  ERR_PASSWORD_INCORRECT: { rpc: -32014, message: 'the keystore password is incorrect', hint: 'try again with the eHealth keystore password' },
  ERR_TOKEN_ABSENT: { rpc: -32015, message: 'no card or token present', hint: 'insert the eID card in the reader' },
  ERR_KEY_NOT_FOUND: { rpc: -32016, message: 'the key was not found in the key source', hint: 'check the keystore (alias authentication) or the card (label Authentication)' },
  ERR_KEY_SOURCE: { rpc: -32017, message: 'the key source failed', hint: 'see error.data.detail; check the PKCS#11 module or keystore' },
  ERR_EID_UNAVAILABLE: {
    rpc: -32018,
    message: 'eID sign-in is not available in this installation of the agent',
    hint: 'its native module pkcs11js is missing or did not build; see error.data.enable for how to add it. The keystore and IAM Connect work without it',
  },

  // -32020..-32029: the session and its SAML token
  ERR_NOT_LOGGED_IN: { rpc: -32020, message: 'no eHealth session', hint: 'call session.login first' },
  ERR_TOKEN_EXPIRED: { rpc: -32021, message: 'the SAML token has expired or is not yet valid', hint: 'sign in again' },
  ERR_TOKEN_INVALID: { rpc: -32022, message: 'the SAML token is not valid', hint: 'obtain a new token from the eHealth STS or IDP' },
  ERR_TOKEN_UNTRUSTED: { rpc: -32023, message: 'the SAML token is not signed by a trusted STS', hint: 'check the environment and its STS certificates' },
  ERR_TOKEN_NOT_BOUND: { rpc: -32024, message: 'the SAML token is bound to another key', hint: 'use the eHealth certificate the token was issued for' },
  ERR_PROFILE_UNKNOWN: { rpc: -32025, message: 'unknown profile', hint: 'call profiles.list for the available profiles' },

  // -32030..-32039: eHealth and the network
  ERR_STS_REJECTED: { rpc: -32030, message: 'the eHealth STS refused the request', hint: 'see error.data (ehealth: SOAP fault code and messages; statusCode: SAML-P status)' },
  ERR_SERVICE_FAULT: { rpc: -32031, message: 'the eHealth service answered with a SOAP fault', hint: 'see error.data.ehealth for eHealth\'s code and messages' },
  ERR_UNAVAILABLE: { rpc: -32032, message: 'the eHealth service is unavailable', hint: 'retry later; check the network and the environment' },
  ERR_NETWORK: { rpc: -32033, message: 'eHealth could not be reached', hint: 'check the connection to eHealth (a proxy that failed is ERR_PROXY)' },
  ERR_TIMEOUT: { rpc: -32034, message: 'the remote service did not answer in time', hint: 'retry later' },
  ERR_DUPLICATE_CLAIM: { rpc: -32035, message: 'a claim URI appears more than once', hint: 'each claim URI may appear once per STS request (eHealth R2024.1)' },
  ERR_REMOTE_PROTOCOL: { rpc: -32036, message: 'the remote answer is not what the protocol expects', hint: 'see error.data.detail' },
  ERR_PROXY: {
    rpc: -32037,
    message: 'the proxy failed',
    hint: 'the proxy (error.data.proxy) cannot be reached, refused the connection or wants credentials: check the proxy setting (or HTTPS_PROXY) and proxyUsername/proxyPassword; `ehagent doctor` tests it',
  },
  ERR_TLS: {
    rpc: -32038,
    message: 'the TLS connection failed',
    hint: 'the server certificate of error.data.host was not accepted: behind a TLS-inspecting proxy or firewall, set extraCaFile in the settings to its CA certificate (PEM)',
  },

  // -32040..-32059: XML, SOAP and signature input
  ERR_XML_MALFORMED: { rpc: -32040, message: 'the XML is not well-formed', hint: 'send well-formed XML (UTF-8)' },
  ERR_XML_DTD_FORBIDDEN: { rpc: -32041, message: 'DOCTYPE and entity declarations are refused', hint: 'remove the DOCTYPE; SOAP forbids it' },
  ERR_XML_TOO_LARGE: { rpc: -32042, message: 'the XML is too large', hint: 'see error.data.limit' },
  ERR_XML_TOO_DEEP: { rpc: -32043, message: 'the XML is nested too deeply', hint: 'see error.data.limit' },
  ERR_XML_DUPLICATE_ID: { rpc: -32044, message: 'two elements carry the same Id', hint: 'every Id, wsu:Id and AssertionID must be unique' },
  ERR_SOAP_INVALID: { rpc: -32045, message: 'not a usable SOAP envelope', hint: 'send one soap:Envelope with an optional Header and exactly one Body' },
  ERR_SOAP_ALREADY_SIGNED: { rpc: -32046, message: 'the envelope already has a wsse:Security header', hint: 'send the envelope unsigned; the agent adds WS-Security' },
  ERR_SIGNATURE_INVALID: { rpc: -32047, message: 'the XML signature does not verify', hint: 'see error.data.detail' },
  ERR_SIGNATURE_WRAPPING: { rpc: -32048, message: 'the signature does not cover the element used', hint: 'possible signature-wrapping attack; the message is refused' },
  ERR_UNSUPPORTED_ALGORITHM: { rpc: -32049, message: 'unsupported algorithm', hint: 'use rsa-sha256 or rsa-sha1 with exc-c14n' },
  ERR_SAML_INVALID: { rpc: -32050, message: 'not a valid SAML 1.1 assertion or response', hint: 'see error.data.detail' },

  // -32060..-32069: local configuration and the local agent
  ERR_CONFIG_INVALID: { rpc: -32060, message: 'the configuration is not valid', hint: 'see error.data.detail; fix the config file or run ehagent doctor' },
  ERR_ENDPOINT_NOT_ALLOWED: { rpc: -32061, message: 'this endpoint is not in the service list or allowlist', hint: 'add it to the allowlist in the agent settings' },
  // Raised by clients, never by the agent itself: nothing answers where the agent should be (no
  // discovery file, connection refused), or where `ehagent sandbox fault|stats` looks for a running
  // sandbox (its `data.hint` then says how to start one). Apart from ERR_NETWORK, which is eHealth
  // being unreachable.
  ERR_AGENT_UNREACHABLE: { rpc: -32062, message: 'the ehealth-agent is not running', hint: 'start it with `ehagent start` (or install it as a service with `ehagent install`), then try again' },
  ERR_AUDIT_FULL: {
    rpc: -32065,
    message: 'the privacy log is full: the token is not used unlogged',
    hint: 'raise privacyLog.maxDiskMiB in the settings and restart the agent, or move old privacy-log files (audit-*.jsonl.gz) out of its folder; ehagent doctor shows where it is and how full',
  },
  ERR_AUDIT_UNAVAILABLE: {
    rpc: -32066,
    message: 'the privacy log could not be written: the result is withheld',
    hint: 'check the disk and the permissions of the privacy-log folder (ehagent doctor), then retry',
  },
  ERR_POLICY_INVALID: {
    rpc: -32067,
    message: "the administrator's policy is not valid",
    hint: 'the agent does not start on a policy it cannot read: fix the field named in error.data.field of the policy file or registry key (error.data.source), or ask your administrator',
  },
  ERR_SETTING_LOCKED: {
    rpc: -32068,
    message: "this setting is set by your administrator's policy",
    hint: 'the policy (error.data.source) fixes this setting for every user of this computer; ask your administrator to change it there',
  },
  ERR_POLICY_DENIED: {
    rpc: -32069,
    message: "your administrator's policy does not allow this",
    hint: 'the policy (error.data.source) limits which services, programs and browser extensions may use the agent; ask your administrator to add it',
  },
} as const satisfies Record<string, { rpc: number; message: string; hint: string }>

/** A stable error code; clients switch on it (`error.data.code` on the wire). */
export type ErrorCode = keyof typeof ERROR_CODES

/** Details safe to send to a caller. Never a stack, a path, a PIN, a body or key material. */
export type ErrorData = Record<string, unknown>

/**
 * The one error class. `code` is stable; `message` is for humans; `data` is sent to the caller.
 *
 * @example
 * ```ts
 * throw new AgentError('ERR_PIN_INCORRECT', 'the PIN is incorrect (2 tries left)', { retriesLeft: 2 })
 * ```
 */
export class AgentError extends Error {
  readonly code: ErrorCode
  readonly data: ErrorData

  constructor(code: ErrorCode, message?: string, data: ErrorData = {}, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, options)
    this.name = 'AgentError'
    this.code = code
    this.data = data
  }

  /** The JSON-RPC `error.code` number for this error. */
  get rpcCode(): number {
    return ERROR_CODES[this.code].rpc
  }

  /** What the caller can do about it. */
  get hint(): string {
    return ERROR_CODES[this.code].hint
  }
}

/** True when `value` is an AgentError, even one from another copy of this module. */
export function isAgentError(value: unknown): value is AgentError {
  return (
    value instanceof AgentError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'AgentError' &&
      typeof (value as { code?: unknown }).code === 'string' &&
      (value as { code: string }).code in ERROR_CODES)
  )
}

/** The code whose JSON-RPC number is `rpc`, if any (used by clients to rebuild errors). */
export function codeForRpcNumber(rpc: number): ErrorCode | undefined {
  for (const [code, entry] of Object.entries(ERROR_CODES)) if (entry.rpc === rpc) return code as ErrorCode
  return undefined
}
