import type { HashName } from '../../protocol/xml/algorithms.js'

/**
 * The few PKCS#11 calls the key source makes, as an interface. The real implementation wraps
 * pkcs11js (in pkcs11-key-source.ts, the only importer of pkcs11js); a test injects a wrapper
 * around it (to count C_Login calls) or a fake (for what SoftHSM cannot do: a locked PIN, a
 * pinpad, a removed card).
 *
 * Every call either succeeds or throws a Pkcs11CallError naming the CKR_* value, so
 * map-pkcs11-error.ts sees one shape whatever the binding.
 */

/** A slot, session or object handle. Opaque: only the binding that returned it interprets it. */
export type Pkcs11Handle = Buffer

/** The fields of CK_TOKEN_INFO the key source uses (PKCS#11 v2.40 §3.2), blank padding trimmed. */
export interface Pkcs11TokenInfo {
  label: string
  serialNumber: string
  manufacturerId: string
  model: string
  flags: number
  minPinLen: number
  maxPinLen: number
}

export interface Pkcs11Certificate {
  handle: Pkcs11Handle
  label: string
  id: Buffer
  /** CKA_VALUE: the DER certificate. */
  value: Buffer
}

export interface Pkcs11PrivateKey {
  handle: Pkcs11Handle
  label: string
  id: Buffer
  /** CKA_KEY_TYPE (CKK_RSA = 0, CKK_EC = 3). */
  keyType: number
}

/** One loaded and initialised PKCS#11 module. */
export interface Pkcs11Module {
  /** C_GetSlotList(CK_TRUE): slots with a token present (v2.40 §5.5). */
  listSlots(): Pkcs11Handle[]
  /** C_GetTokenInfo (v2.40 §5.5). */
  getTokenInfo(slot: Pkcs11Handle): Pkcs11TokenInfo
  /** C_OpenSession with CKF_SERIAL_SESSION, read-only (v2.40 §5.6): signing needs no R/W session. */
  openSession(slot: Pkcs11Handle): Pkcs11Handle
  /** C_CloseSession (v2.40 §5.6). */
  closeSession(session: Pkcs11Handle): void
  /** C_Login(CKU_USER, pin); `pin` undefined passes NULL_PTR for a protected authentication path (v2.40 §5.6). */
  login(session: Pkcs11Handle, pin: string | undefined): void
  /** C_Logout (v2.40 §5.6). */
  logout(session: Pkcs11Handle): void
  /** C_FindObjects* over CKO_CERTIFICATE with CKA_LABEL, CKA_ID, CKA_VALUE (v2.40 §5.7). */
  listCertificates(session: Pkcs11Handle): Pkcs11Certificate[]
  /** C_FindObjects* over CKO_PRIVATE_KEY with CKA_LABEL, CKA_ID, CKA_KEY_TYPE (v2.40 §5.7). */
  listPrivateKeys(session: Pkcs11Handle): Pkcs11PrivateKey[]
  /**
   * C_SignInit with CKM_SHA256_RSA_PKCS / CKM_SHA1_RSA_PKCS, then C_Sign off the event loop
   * (v2.40 §5.11). The session must not be used by anything else until this settles.
   */
  sign(session: Pkcs11Handle, key: Pkcs11Handle, hash: HashName, data: Uint8Array): Promise<Uint8Array>
  /** Release this user of the module: C_Finalize once the last user is gone (v2.40 §5.4). */
  release(): void
}

/** Loads and initialises a module; throws a plain Error if the library cannot be loaded at all. */
export interface Pkcs11Binding {
  open(modulePath: string): Pkcs11Module
}

/** A PKCS#11 call that returned something other than CKR_OK. */
export class Pkcs11CallError extends Error {
  /** The CKR_* name, e.g. `CKR_PIN_INCORRECT`; `CKR_VENDOR_DEFINED_0x…` for vendor values. */
  readonly ckr: string
  /** The C_* function that failed. */
  readonly operation: string

  constructor(ckr: string, operation: string, options?: { cause?: unknown }) {
    super(`${operation} failed with ${ckr}`, options)
    this.name = 'Pkcs11CallError'
    this.ckr = ckr
    this.operation = operation
  }
}

/**
 * CK_TOKEN_INFO flags the key source reads (PKCS#11 v2.40 §3.2, pkcs11t.h). Standard values,
 * so a fake binding can set them without importing pkcs11js.
 */
export const TOKEN_FLAGS = {
  CKF_LOGIN_REQUIRED: 0x00000004,
  CKF_USER_PIN_INITIALIZED: 0x00000008,
  CKF_PROTECTED_AUTHENTICATION_PATH: 0x00000100,
  CKF_TOKEN_INITIALIZED: 0x00000400,
  CKF_USER_PIN_COUNT_LOW: 0x00010000,
  CKF_USER_PIN_FINAL_TRY: 0x00020000,
  CKF_USER_PIN_LOCKED: 0x00040000,
  CKF_USER_PIN_TO_BE_CHANGED: 0x00080000,
} as const

/** CKK_* key types (PKCS#11 v2.40 §4.9 / pkcs11t.h). */
export const KEY_TYPES = { CKK_RSA: 0x0, CKK_EC: 0x3 } as const
