import { AgentError, type ErrorCode, type ErrorData } from '../../../protocol/errors.js'

/**
 * Why an IAM Connect sign-in or renewal failed, and the agent error code each one travels as
 * (the code table is shared and has no OpenID Connect entries; `data.reason` says which check).
 */
export const IAM_CONNECT_FAILURES = {
  /** The provider's metadata, JWKS or an answer is not what OpenID Connect says. */
  'provider-invalid': 'ERR_REMOTE_PROTOCOL',
  /** The browser could not be opened. */
  'browser-failed': 'ERR_INTERNAL',
  /** Nobody came back to the loopback redirect in time. */
  'callback-timeout': 'ERR_USER_TIMEOUT',
  /** The redirect's `state` is not ours (RFC 6749 §10.12: a forged or crossed response). */
  'state-mismatch': 'ERR_REMOTE_PROTOCOL',
  /** The redirect's `iss` is another provider (RFC 9207: mix-up). */
  'issuer-mismatch': 'ERR_REMOTE_PROTOCOL',
  /** The user refused consent or cancelled (`error=access_denied`). */
  'access-denied': 'ERR_USER_CANCELLED',
  /** The provider answered the authorization request with another error. */
  'authorization-error': 'ERR_STS_REJECTED',
  /** The token endpoint refused the code (replayed, expired, PKCE) or the request. */
  'token-refused': 'ERR_STS_REJECTED',
  /** The ID token failed validation: see `data.check` (signature, issuer, audience, expired, nonce, …). */
  'id-token-invalid': 'ERR_TOKEN_INVALID',
  /** The user chose another profile than the one asked for. */
  'profile-mismatch': 'ERR_PROFILE_UNKNOWN',
  /** The token exchange refused (e.g. a proof not signed by the HOK key, a replayed proof). */
  'exchange-refused': 'ERR_STS_REJECTED',
  /** The provider session is over (global logout, expiry, revoked refresh token): sign in again. */
  'signed-out': 'ERR_NOT_LOGGED_IN',
} as const satisfies Record<string, ErrorCode>

export type IamConnectFailure = keyof typeof IAM_CONNECT_FAILURES

/**
 * The error of the IAM Connect login path: an AgentError (so the JSON-RPC layer and clients treat
 * it like any other) whose `reason`, also in `data.reason`, names the failed step.
 */
export class IamConnectError extends AgentError {
  readonly reason: IamConnectFailure

  constructor(reason: IamConnectFailure, message: string, data: ErrorData = {}, options?: { cause?: unknown }) {
    super(IAM_CONNECT_FAILURES[reason], message, { reason, ...data }, options)
    this.reason = reason
  }
}

/** True when `err` is an IAM Connect failure for `reason`. */
export function isIamConnectError(err: unknown, reason?: IamConnectFailure): err is IamConnectError {
  return err instanceof IamConnectError && (reason === undefined || err.reason === reason)
}
