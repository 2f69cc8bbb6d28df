import { AgentError, type ErrorCode } from '../../protocol/errors.js'
import { Pkcs11CallError, TOKEN_FLAGS } from './pkcs11-binding.js'
import type { PinRetries } from './key-source.js'

/**
 * Every CKR_* return value (PKCS#11 v2.40 §5.1) becomes exactly one AgentError code. The values
 * the user can act on have their own code; everything else is ERR_KEY_SOURCE with the CKR name in
 * `data.ckr` for support. The PIN never appears: only the CKR name, the failing function and the
 * token flags go into the error.
 */

interface Mapping {
  code: ErrorCode
  message?: string
}

/** The CKR values with a code of their own; any other CKR_* is ERR_KEY_SOURCE. */
export const CKR_MAPPINGS: Readonly<Record<string, Mapping>> = {
  // v2.40 §5.1.6 (C_Login): wrong PIN; tries left are read from the token flags afterwards.
  CKR_PIN_INCORRECT: { code: 'ERR_PIN_INCORRECT' },
  CKR_PIN_LEN_RANGE: { code: 'ERR_PIN_INCORRECT', message: 'the PIN has the wrong length (the eID PIN has 4 to 12 digits)' },
  CKR_PIN_INVALID: { code: 'ERR_PIN_INCORRECT', message: 'the PIN contains characters the card does not accept' },
  CKR_PIN_LOCKED: { code: 'ERR_PIN_LOCKED' },
  CKR_PIN_EXPIRED: { code: 'ERR_KEY_SOURCE', message: 'the PIN has expired; change it with the eID software first' },
  // v2.40 §5.1.1 (CKR_DEVICE_REMOVED) and §5.1.3 (token functions): the card or the reader went away.
  CKR_TOKEN_NOT_PRESENT: { code: 'ERR_TOKEN_ABSENT' },
  CKR_DEVICE_REMOVED: { code: 'ERR_TOKEN_ABSENT', message: 'the card was removed' },
  CKR_TOKEN_NOT_RECOGNIZED: { code: 'ERR_TOKEN_ABSENT', message: 'the card in the reader is not recognised (is it a Belgian eID?)' },
  CKR_SLOT_ID_INVALID: { code: 'ERR_TOKEN_ABSENT', message: 'the card reader is no longer available' },
  // The middleware's PIN dialog or pinpad was cancelled, or the user refused the signature
  // (CKR_FUNCTION_REJECTED, v2.40 §5.1.6); CKR_CANCEL is what a notify callback returns to
  // cancel (§5.1.4).
  CKR_FUNCTION_CANCELED: { code: 'ERR_USER_CANCELLED' },
  CKR_FUNCTION_REJECTED: { code: 'ERR_USER_CANCELLED', message: 'the user refused the signature' },
  CKR_CANCEL: { code: 'ERR_USER_CANCELLED' },
  // The card lost its login (reset, another application logged out): log in again.
  CKR_USER_NOT_LOGGED_IN: { code: 'ERR_NOT_LOGGED_IN', message: 'the token is not logged in; log in again' },
}

export interface Pkcs11ErrorContext {
  /** CK_TOKEN_INFO.flags read right after the failure, for the PIN counters (v2.40 §3.2). */
  tokenFlags?: number
  /** Whether the token was still present after the failure; false turns any failure into ERR_TOKEN_ABSENT. */
  tokenPresent?: boolean
}

/** Tries left after a wrong PIN, from the token flags. PKCS#11 only says "final try" or "low", never a count. */
export function readPinRetries(flags: number | undefined): PinRetries | undefined {
  if (flags === undefined) return undefined
  if (flags & TOKEN_FLAGS.CKF_USER_PIN_FINAL_TRY) return 1
  if (flags & TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW) return 'low'
  return undefined
}

export function mapPkcs11Error(error: unknown, context: Pkcs11ErrorContext = {}): AgentError {
  if (error instanceof AgentError) return error
  if (!(error instanceof Pkcs11CallError)) {
    return new AgentError('ERR_KEY_SOURCE', 'the PKCS#11 module failed', { detail: 'unexpected PKCS#11 failure' }, { cause: error })
  }
  const { ckr, operation } = error
  const data = { ckr, operation }
  const mapping = CKR_MAPPINGS[ckr]

  // A failure while the token is gone (session handle invalid, device error, ...) is explained
  // by its absence: one clear state for every way a removal surfaces.
  if (context.tokenPresent === false && mapping?.code !== 'ERR_TOKEN_ABSENT') {
    return new AgentError('ERR_TOKEN_ABSENT', 'the card was removed', data, { cause: error })
  }
  if (!mapping) {
    return new AgentError('ERR_KEY_SOURCE', undefined, { ...data, detail: `${operation}: ${ckr}` }, { cause: error })
  }
  if (ckr === 'CKR_PIN_INCORRECT') return mapIncorrectPin(error, context.tokenFlags)
  return new AgentError(mapping.code, mapping.message, data, { cause: error })
}

function mapIncorrectPin(error: Pkcs11CallError, flags: number | undefined): AgentError {
  const data = { ckr: error.ckr, operation: error.operation }
  // This wrong PIN used up the last try: the card is locked now, say so rather than "incorrect".
  if (flags !== undefined && flags & TOKEN_FLAGS.CKF_USER_PIN_LOCKED) {
    return new AgentError('ERR_PIN_LOCKED', 'the PIN was incorrect and is now locked', { ...data, retriesLeft: 0 }, { cause: error })
  }
  const retriesLeft = readPinRetries(flags)
  const message =
    retriesLeft === 1 ? 'the PIN is incorrect; one try left before the card locks'
    : retriesLeft === 'low' ? 'the PIN is incorrect; few tries left before the card locks'
    : undefined
  return new AgentError('ERR_PIN_INCORRECT', message, { ...data, retriesLeft }, { cause: error })
}
