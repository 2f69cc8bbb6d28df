import type { X509Certificate } from 'node:crypto'
import type { HashName } from '../../protocol/xml/algorithms.js'

/**
 * One interface for every place a private key can live: the eHealth PKCS#12 keystore, a PKCS#11
 * token (the Belgian eID through beidpkcs11, SoftHSM2 in tests) and a key generated for the
 * session. The session layer picks one per role (identification, holder-of-key; protocol §1) and
 * never learns which kind it holds, apart from what to ask the user before `login`.
 *
 * The private key itself never leaves the source (threats T7): callers get a certificate and
 * signatures, nothing else.
 */

export const KEY_SOURCE_KINDS = ['pkcs12', 'pkcs11', 'session'] as const
export type KeySourceKind = (typeof KEY_SOURCE_KINDS)[number]

export type LoginState = 'logged-out' | 'logged-in'

/** The certificate of a key source, parsed and as base64 DER (ds:X509Certificate, BST, UseKey). */
export interface CertificateInfo {
  certificate: X509Certificate
  base64: string
}

/**
 * What the session layer must obtain from the user before calling `login`, so the Prompter asks
 * once and for the right thing (threats T10). `retriesLeft` comes from the token flags
 * (PKCS#11 v2.40 §3.2 CK_TOKEN_INFO: CKF_USER_PIN_FINAL_TRY → 1, CKF_USER_PIN_COUNT_LOW → 'low';
 * the exact count is not exposed by PKCS#11), so the prompt can warn before the card locks (T11).
 */
export type LoginRequirement =
  | { secret: 'password' }
  | { secret: 'pin'; retriesLeft?: PinRetries }
  /** Nothing to ask: a pinpad reader or the middleware's own dialog (CKF_PROTECTED_AUTHENTICATION_PATH), or a generated key. */
  | { secret: 'none' }

/** Tries left before the PIN locks: 1 on the final try, 'low' when the token only says "low". */
export type PinRetries = 1 | 'low'

export interface KeySource {
  readonly kind: KeySourceKind
  /** Human description for prompts: "eHealth keystore SSIN=… .p12", "eID card of Jan Peeters (BELPIC)". May get more precise once the certificate was read. */
  readonly label: string
  /**
   * Whether the key source asks for the PIN itself (pinpad reader / middleware dialog:
   * CKF_PROTECTED_AUTHENTICATION_PATH, PKCS#11 v2.40 §3.2). For PKCS#11 it is known once the token
   * was inspected (after `loginRequirement`, `certificate` or `login`); false before.
   */
  readonly protectedAuthenticationPath: boolean
  /** What to ask the user before `login`. PKCS#11: throws ERR_PIN_LOCKED when the PIN is already locked, so no prompt is shown for nothing. */
  loginRequirement(): Promise<LoginRequirement>
  /** The certificate. PKCS#11 reads it without login (public object); a PKCS#12 keystore and a session key need `login` first (ERR_NOT_LOGGED_IN). */
  certificate(): Promise<CertificateInfo>
  /** RSA PKCS#1 v1.5 signature of `data` with the given hash, computed off the event loop. ERR_NOT_LOGGED_IN when logged out. */
  sign(data: Uint8Array, hash: HashName): Promise<Uint8Array>
  loginState(): LoginState
  /**
   * Unlock with the secret the Prompter obtained (PIN or password; undefined when
   * `loginRequirement` said 'none'). Tried exactly once: a wrong secret is reported, never retried.
   * The secret is not logged and not kept after the call.
   */
  login(secret: string | undefined): Promise<void>
  /** Drop keys and cached secrets from memory; signing fails until the next `login`. */
  logout(): Promise<void>
  /** Logout and release what the source holds (PKCS#11 sessions and module). Idempotent. */
  close(): Promise<void>
}
