import { existsSync } from 'node:fs'
import { AgentError } from '../../protocol/errors.js'
import type { HashName } from '../../protocol/xml/algorithms.js'
import { readCertificateInfo, readCommonName } from './certificate-info.js'
import { createModuleMissingError, findPkcs11Module } from './find-pkcs11-module.js'
import type { KeySource, LoginRequirement, LoginState } from './key-source.js'
import { memoizePkcs11jsLoader, requirePkcs11js, type Pkcs11jsExports, type Pkcs11jsLoader } from './load-pkcs11js.js'
import { CKR_MAPPINGS, mapPkcs11Error, readPinRetries } from './map-pkcs11-error.js'
import {
  KEY_TYPES,
  Pkcs11CallError,
  TOKEN_FLAGS,
  type Pkcs11Binding,
  type Pkcs11Certificate,
  type Pkcs11Handle,
  type Pkcs11Module,
  type Pkcs11PrivateKey,
  type Pkcs11TokenInfo,
} from './pkcs11-binding.js'
import {
  closedError,
  createPkcs11StateMachine,
  lastTokenLabelOf,
  type Pkcs11State,
  type Pkcs11Token,
  type Pkcs11TokenState,
  type TokenCertificate,
} from './pkcs11-state-machine.js'

/**
 * A PKCS#11 token as a key source: the Belgian eID through beidpkcs11 (protocol §7: keys and
 * certificates labelled `Authentication` and `Signature`), SoftHSM2 in tests. pkcs11js is loaded
 * lazily (load-pkcs11js.ts), so a machine without the native addon or the eID middleware gets an
 * AgentError (ERR_EID_UNAVAILABLE, ERR_KEY_SOURCE) instead of a crash.
 *
 * PIN rules (threats T10, T11): the PIN comes from the caller (the agent's Prompter), is passed to
 * exactly one C_Login and never retried; a locked PIN is refused before C_Login; with a protected
 * authentication path (pinpad reader, middleware dialog) C_Login gets no PIN at all.
 */

export interface Pkcs11KeySourceOptions {
  /** The PKCS#11 module; searched among the eID middleware's install paths when absent. */
  modulePath?: string
  /** For the search: the OS (`process.platform` values) and a file test; default this machine. */
  platform?: string
  exists?: (path: string) => boolean
  /** Which token, when several are present; default the first initialised token. Compared trimmed. */
  token?: { label?: string; serialNumber?: string }
  /** The certificate and key label: `Authentication` (default) or `Signature`; case-insensitive as in TC (protocol §7). */
  keyLabel?: string
  /** Concurrent signatures (one PKCS#11 session each); default 4, libuv's default threadpool size. */
  sessions?: number
  /** The PKCS#11 calls; pkcs11js by default. Tests inject wrappers and fakes. */
  binding?: Pkcs11Binding
}

/**
 * A PKCS#11 token as a key source. Its life (module loaded, token present or removed, logged in,
 * closed) is the state machine of pkcs11-state-machine.ts; the functions here talk to the token
 * and move the machine. Login, logout and close run one at a time: a second login waits and
 * finds the token logged in.
 */
export function createPkcs11KeySource(options: Pkcs11KeySourceOptions = {}): KeySource {
  const binding = options.binding ?? pkcs11jsBinding
  const platform = options.platform ?? process.platform
  const keyLabel = options.keyLabel ?? 'Authentication'
  const machine = createPkcs11StateMachine({ sessions: options.sessions ?? 4 })
  const serialize = createSerialQueue()

  /** The module, loaded on first use (no-module → token-absent). */
  function openModule(): Pkcs11Module {
    const state = machine.state
    if (state.name === 'closed') throw closedError('ERR_KEY_SOURCE')
    if (state.name !== 'no-module') return state.module
    const path = options.modulePath ?? findPkcs11Module(platform, options.exists ?? existsSync)
    let module: Pkcs11Module
    try {
      module = binding.open(path)
    } catch (error) {
      if (error instanceof AgentError) throw error
      if (error instanceof Pkcs11CallError) throw mapPkcs11Error(error)
      throw createModuleMissingError(platform, [path], error)
    }
    machine.loadModule(module)
    return module
  }

  /** The token in use, selected first if there is none (token-absent → token-present). */
  function openToken(): Pkcs11TokenState {
    const module = openModule()
    if (machine.state.name === 'token-absent') machine.insertToken(selectToken(module, options.token))
    const state = machine.state
    if (state.name !== 'token-present' && state.name !== 'logged-in') throw closedError('ERR_KEY_SOURCE') // closed meanwhile
    return state
  }

  /** Run one PKCS#11 task on a session of its own, turning any failure into one AgentError. */
  async function withSession<R>(task: (m: Pkcs11Module, session: Pkcs11Handle) => R | Promise<R>): Promise<R> {
    let opened: Pkcs11TokenState
    try {
      opened = openToken()
    } catch (error) {
      throw mapPkcs11Error(error)
    }
    try {
      return await opened.sessions.use((session) => task(opened.module, session))
    } catch (error) {
      throw explainFailure(error)
    }
  }

  /**
   * Map a failure, reading what PKCS#11 cannot say in the CKR alone (is the token still there,
   * how many tries are left), and move the machine: a removed card is forgotten, a lost login
   * locks the source.
   */
  function explainFailure(error: unknown): AgentError {
    if (!(error instanceof Pkcs11CallError)) return mapPkcs11Error(error)
    const state = machine.state
    const holdsToken = state.name === 'token-present' || state.name === 'logged-in'
    // After a removal seen by a concurrent failure, the token is already forgotten.
    const tokenPresent = holdsToken ? checkTokenPresent(state) : state.name === 'token-absent' && state.removed ? false : undefined
    let tokenFlags: number | undefined
    if (tokenPresent !== false && holdsToken) {
      try {
        tokenFlags = state.module.getTokenInfo(state.token.slot).flags
      } catch {
        tokenFlags = undefined
      }
    }
    const mapped = mapPkcs11Error(error, { tokenPresent, tokenFlags })
    const now = machine.state.name
    if (mapped.code === 'ERR_TOKEN_ABSENT' && (now === 'token-present' || now === 'logged-in')) machine.removeToken()
    else if (mapped.code === 'ERR_NOT_LOGGED_IN') void machine.lock()
    return mapped
  }

  /** Refresh CK_TOKEN_INFO (PIN counters and flags change as PINs fail). */
  function refreshTokenInfo(): Pkcs11Token {
    const { module, token } = openToken()
    try {
      machine.updateTokenInfo(module.getTokenInfo(token.slot))
    } catch (error) {
      throw explainFailure(error)
    }
    return token
  }

  async function loadCertificate(): Promise<TokenCertificate> {
    const { token, certificate } = openToken()
    if (certificate) return certificate
    const certificates = await withSession((m, session) => m.listCertificates(session))
    const wanted = keyLabel.toLowerCase()
    const found = certificates.find((c) => c.label.toLowerCase() === wanted)
    if (!found) {
      throw new AgentError('ERR_KEY_NOT_FOUND', `the token has no certificate labelled "${keyLabel}"`, { keyLabel, labels: certificates.map((c) => c.label) })
    }
    const read: TokenCertificate = { id: found.id, info: readCertificateInfo(found.value) }
    machine.rememberCertificate(token, read)
    return read
  }

  async function logIn(secret: string | undefined): Promise<void> {
    if (machine.state.name === 'logged-in') return
    const token = refreshTokenInfo()
    const { flags } = token.info
    // Checked before C_Login: a locked card must not even be asked (T11).
    if (flags & TOKEN_FLAGS.CKF_USER_PIN_LOCKED) throw new AgentError('ERR_PIN_LOCKED', undefined, { retriesLeft: 0 })
    const certificate = await loadCertificate()
    let loggedInHere = false
    if (flags & TOKEN_FLAGS.CKF_LOGIN_REQUIRED) {
      // v2.40 §5.6 C_Login: with CKF_PROTECTED_AUTHENTICATION_PATH the PIN is passed as NULL_PTR
      // and the reader's pinpad or the middleware asks for it; whatever secret we got is ignored.
      const pin = isProtectedPath(token.info) ? undefined : checkPin(secret, token.info)
      await withSession((m, session) => {
        try {
          m.login(session, pin)
          loggedInHere = true
        } catch (error) {
          // Login state is per application and token, shared by all its sessions (v2.40 §5.6):
          // another source on the same card (e.g. Signature next to Authentication) already did it.
          if (error instanceof Pkcs11CallError && error.ckr === 'CKR_USER_ALREADY_LOGGED_IN') return
          throw error
        }
      })
    }
    let key: Pkcs11Handle
    try {
      key = selectKey(await withSession((m, session) => m.listPrivateKeys(session)), certificate, keyLabel)
    } catch (error) {
      // Undo our own login only: a login found in place belongs to another source on this card.
      if (loggedInHere) await withSession((m, session) => m.logout(session)).catch(() => undefined)
      throw error
    }
    // The card may have gone (and another come) while we waited for it: its key is not this one.
    const state = machine.state
    if (state.name !== 'token-present' || state.token !== token) throw new AgentError('ERR_TOKEN_ABSENT', 'the card was removed during the sign-in; insert it and log in again')
    machine.logIn(key)
  }

  return {
    kind: 'pkcs11',
    get label() {
      return describeSource(machine.state, keyLabel)
    },
    get protectedAuthenticationPath() {
      const state = machine.state
      return (state.name === 'token-present' || state.name === 'logged-in') && isProtectedPath(state.token.info)
    },
    loginRequirement: async (): Promise<LoginRequirement> => {
      const { info } = refreshTokenInfo()
      if (info.flags & TOKEN_FLAGS.CKF_USER_PIN_LOCKED) throw new AgentError('ERR_PIN_LOCKED', undefined, { retriesLeft: 0 })
      if (isProtectedPath(info) || !(info.flags & TOKEN_FLAGS.CKF_LOGIN_REQUIRED)) return { secret: 'none' }
      const retriesLeft = readPinRetries(info.flags)
      return retriesLeft === undefined ? { secret: 'pin' } : { secret: 'pin', retriesLeft }
    },
    certificate: async () => (await loadCertificate()).info,
    sign: async (data: Uint8Array, hash: HashName) => {
      const state = machine.state
      if (state.name !== 'logged-in') {
        if (state.name === 'token-absent' && state.removed) throw new AgentError('ERR_TOKEN_ABSENT', 'the card was removed; insert it and log in again')
        throw new AgentError('ERR_NOT_LOGGED_IN', 'the token is not logged in')
      }
      return withSession((m, session) => m.sign(session, state.key, hash, data))
    },
    loginState: (): LoginState => (machine.state.name === 'logged-in' ? 'logged-in' : 'logged-out'),
    login: (secret: string | undefined) => serialize(() => logIn(secret)),
    logout: () => serialize(() => machine.lock('ERR_NOT_LOGGED_IN')),
    close: () => serialize(() => machine.close()),
  }
}

/** The token to use (v2.40 §5.5: C_GetSlotList(CK_TRUE), C_GetTokenInfo): the first initialised one that matches. */
function selectToken(module: Pkcs11Module, wanted: Pkcs11KeySourceOptions['token']): Pkcs11Token {
  let slots: Pkcs11Handle[]
  try {
    slots = module.listSlots()
  } catch (error) {
    throw mapPkcs11Error(error)
  }
  for (const slot of slots) {
    let info: Pkcs11TokenInfo
    try {
      info = module.getTokenInfo(slot)
    } catch {
      continue // removed between the two calls, or unreadable: not this one
    }
    // SoftHSM2 always shows one more, uninitialised token; an uninitialised card is no eID.
    if (!(info.flags & TOKEN_FLAGS.CKF_TOKEN_INITIALIZED)) continue
    if (wanted?.label !== undefined && info.label !== wanted.label.trim()) continue
    if (wanted?.serialNumber !== undefined && info.serialNumber !== wanted.serialNumber.trim()) continue
    return { slot, info }
  }
  const which = [wanted?.label && `label "${wanted.label}"`, wanted?.serialNumber && `serial ${wanted.serialNumber}`].filter(Boolean).join(' and ')
  throw new AgentError('ERR_TOKEN_ABSENT', which ? `no token with ${which} is present` : undefined, { tokenLabel: wanted?.label, tokenSerial: wanted?.serialNumber })
}

/** false only when PKCS#11 says the token or its slot is gone; undefined when it cannot tell. */
function checkTokenPresent(state: Pkcs11TokenState): boolean | undefined {
  try {
    if (!state.module.listSlots().some((slot) => slot.equals(state.token.slot))) return false
    state.module.getTokenInfo(state.token.slot)
    return true
  } catch (error) {
    if (error instanceof Pkcs11CallError && CKR_MAPPINGS[error.ckr]?.code === 'ERR_TOKEN_ABSENT') return false
    return undefined
  }
}

/** A pinpad reader or the middleware's own dialog asks for the PIN (CKF_PROTECTED_AUTHENTICATION_PATH, v2.40 §3.2). */
function isProtectedPath(info: Pkcs11TokenInfo): boolean {
  return (info.flags & TOKEN_FLAGS.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0
}

/** The PIN to pass, or an error before C_Login so a malformed PIN never costs a try. */
function checkPin(secret: string | undefined, info: Pkcs11TokenInfo): string {
  if (secret === undefined || secret === '') throw new AgentError('ERR_PIN_INCORRECT', 'no PIN was given', { reason: 'missing' })
  const length = Buffer.byteLength(secret, 'utf8') // ulMinPinLen/ulMaxPinLen count bytes (v2.40 §3.2)
  if ((info.minPinLen > 0 && length < info.minPinLen) || (info.maxPinLen > 0 && length > info.maxPinLen)) {
    throw new AgentError('ERR_PIN_INCORRECT', `the PIN must have ${info.minPinLen} to ${info.maxPinLen} digits`, { reason: 'length' })
  }
  return secret
}

/** The private key of the certificate: same CKA_ID (how the eID pairs them), else the same label. */
function selectKey(keys: Pkcs11PrivateKey[], certificate: TokenCertificate, keyLabel: string): Pkcs11Handle {
  const wanted = keyLabel.toLowerCase()
  const sameId = keys.filter((k) => k.id.length > 0 && k.id.equals(certificate.id))
  const found = sameId.find((k) => k.label.toLowerCase() === wanted) ?? sameId[0] ?? keys.find((k) => k.label.toLowerCase() === wanted)
  if (!found) throw new AgentError('ERR_KEY_NOT_FOUND', `the token has no private key for the "${keyLabel}" certificate`, { keyLabel })
  if (found.keyType !== KEY_TYPES.CKK_RSA) {
    // Newer eID cards carry EC keys; the XML signatures offered are RSA only (protocol/xml/algorithms.ts).
    throw new AgentError('ERR_KEY_SOURCE', 'the key on the card is not an RSA key; this agent signs with RSA only', { detail: `key type ${found.keyType}` })
  }
  return found.handle
}

/** "eID card of Jan Peeters (BELPIC)", or as much of it as is known in this state. */
function describeSource(state: Pkcs11State, keyLabel: string): string {
  const certificate = state.name === 'token-present' || state.name === 'logged-in' ? state.certificate : undefined
  const name = certificate ? readCommonName(certificate.info.certificate)?.replace(/\s*\((authentication|signature)\)\s*$/i, '') : undefined
  const tokenLabel = lastTokenLabelOf(state)
  if (name && tokenLabel?.toUpperCase().startsWith('BELPIC')) return `eID card of ${name} (${tokenLabel})`
  if (name) return tokenLabel ? `${name} (PKCS#11 token ${tokenLabel})` : name
  if (tokenLabel) return `PKCS#11 token ${tokenLabel}`
  return `PKCS#11 token (${keyLabel} key)`
}

/** Runs the steps it is given one at a time, in order; a failed step does not stop the next. */
function createSerialQueue(): <R>(step: () => Promise<R>) => Promise<R> {
  let chain: Promise<unknown> = Promise.resolve()
  return (step) => {
    const run = chain.then(step)
    chain = run.catch(() => undefined)
    return run
  }
}

// ---------------------------------------------------------------------------------------------
// The real binding: pkcs11js. Loaded on first use, one instance per module path per process.

interface LoadedLibrary {
  lib: InstanceType<Pkcs11jsExports['PKCS11']>
  users: number
  /** False when someone else in the process had already initialised it: then they finalise it. */
  ownsInitialize: boolean
}

/**
 * A module is loaded and C_Initialize'd once per process (v2.40 §5.4: a second C_Initialize
 * returns CKR_CRYPTOKI_ALREADY_INITIALIZED) and shared by every key source using it (e.g. the
 * eID's Authentication and Signature keys); C_Finalize runs when the last one releases it. The
 * library itself stays loaded (no dlclose): modules built on OpenSSL, SoftHSM2 among them, leave
 * process-wide state behind that does not survive being unloaded and loaded again.
 */
const libraries = new Map<string, LoadedLibrary>()

/**
 * The binding over pkcs11js as `load` returns it. When it cannot be loaded, `open` throws
 * ERR_EID_UNAVAILABLE (how to enable the eID in error.data.enable); nothing is loaded before the
 * first `open`, so an agent that never uses the eID never touches the addon.
 */
export function createPkcs11jsBinding(load: Pkcs11jsLoader = requirePkcs11js, platform: string = process.platform): Pkcs11Binding {
  const loadOnce = memoizePkcs11jsLoader(load, platform)
  return {
    open(modulePath: string): Pkcs11Module {
      const p = loadOnce()
      let entry = libraries.get(modulePath)
      if (!entry) {
        const lib = new p.PKCS11()
        lib.load(modulePath) // a plain Error when the file is missing or not a PKCS#11 library
        entry = { lib, users: 0, ownsInitialize: false }
        libraries.set(modulePath, entry)
      }
      if (entry.users === 0) initializeLibrary(p, entry)
      entry.users++
      return createModule(p, entry)
    },
  }
}

/** The binding the agent uses: the installed pkcs11js. */
export const pkcs11jsBinding: Pkcs11Binding = createPkcs11jsBinding()

function initializeLibrary(p: Pkcs11jsExports, entry: LoadedLibrary): void {
  try {
    // CKF_OS_LOCKING_OK: C_Sign runs on libuv threads while the main thread calls other
    // functions, so the library must lock (v2.40 §5.4, CK_C_INITIALIZE_ARGS).
    entry.lib.C_Initialize({ flags: p.CKF_OS_LOCKING_OK })
    entry.ownsInitialize = true
  } catch (error) {
    const callError = toCallError(error, 'C_Initialize')
    if (callError.ckr !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw callError
    entry.ownsInitialize = false
  }
}

function createModule(p: Pkcs11jsExports, entry: LoadedLibrary): Pkcs11Module {
  const { lib } = entry
  let released = false

  function call<R>(operation: string, fn: () => R): R {
    try {
      return fn()
    } catch (error) {
      throw toCallError(error, operation)
    }
  }

  function findObjects(session: Pkcs11Handle, objectClass: number): Pkcs11Handle[] {
    const handles: Pkcs11Handle[] = []
    call('C_FindObjectsInit', () => lib.C_FindObjectsInit(session, [{ type: p.CKA_CLASS, value: objectClass }]))
    try {
      for (;;) {
        const batch = call('C_FindObjects', () => lib.C_FindObjects(session, 32))
        if (batch.length === 0) break
        handles.push(...batch)
      }
    } finally {
      call('C_FindObjectsFinal', () => lib.C_FindObjectsFinal(session))
    }
    return handles
  }

  /** One attribute; undefined when the object does not have it (CKR_ATTRIBUTE_TYPE_INVALID, v2.40 §5.7). */
  function readAttribute(session: Pkcs11Handle, object: Pkcs11Handle, type: number): Buffer | undefined {
    try {
      return call('C_GetAttributeValue', () => lib.C_GetAttributeValue(session, object, [{ type }]))[0]?.value
    } catch (error) {
      if (error instanceof Pkcs11CallError && (error.ckr === 'CKR_ATTRIBUTE_TYPE_INVALID' || error.ckr === 'CKR_ATTRIBUTE_SENSITIVE')) return undefined
      throw error
    }
  }

  return {
    listSlots: () => call('C_GetSlotList', () => lib.C_GetSlotList(true)),
    getTokenInfo: (slot) => {
      const info = call('C_GetTokenInfo', () => lib.C_GetTokenInfo(slot))
      return {
        label: trimPadded(info.label),
        serialNumber: trimPadded(info.serialNumber),
        manufacturerId: trimPadded(info.manufacturerID),
        model: trimPadded(info.model),
        flags: info.flags,
        minPinLen: info.minPinLen,
        maxPinLen: info.maxPinLen,
      }
    },
    openSession: (slot) => call('C_OpenSession', () => lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION)),
    closeSession: (session) => call('C_CloseSession', () => lib.C_CloseSession(session)),
    login: (session, pin) => call('C_Login', () => (pin === undefined ? lib.C_Login(session, p.CKU_USER) : lib.C_Login(session, p.CKU_USER, pin))),
    logout: (session) => call('C_Logout', () => lib.C_Logout(session)),
    listCertificates: (session) =>
      findObjects(session, p.CKO_CERTIFICATE).map(
        (handle): Pkcs11Certificate => ({
          handle,
          label: readAttribute(session, handle, p.CKA_LABEL)?.toString('utf8') ?? '',
          id: readAttribute(session, handle, p.CKA_ID) ?? Buffer.alloc(0),
          value: readAttribute(session, handle, p.CKA_VALUE) ?? Buffer.alloc(0),
        }),
      ),
    listPrivateKeys: (session) =>
      findObjects(session, p.CKO_PRIVATE_KEY).map((handle): Pkcs11PrivateKey => {
        // CK_ULONG: 8 bytes on LP64, 4 on Windows; little-endian on every platform we ship to.
        const keyType = readAttribute(session, handle, p.CKA_KEY_TYPE)
        return {
          handle,
          label: readAttribute(session, handle, p.CKA_LABEL)?.toString('utf8') ?? '',
          id: readAttribute(session, handle, p.CKA_ID) ?? Buffer.alloc(0),
          keyType: keyType && keyType.length >= 4 ? keyType.readUInt32LE(0) : -1,
        }
      }),
    sign: (session, key, hash, data) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const mechanism = { mechanism: hash === 'sha256' ? p.CKM_SHA256_RSA_PKCS : p.CKM_SHA1_RSA_PKCS }
        try {
          lib.C_SignInit(session, mechanism, key)
        } catch (error) {
          reject(toCallError(error, 'C_SignInit'))
          return
        }
        // The callback form runs C_Sign on a libuv thread. pkcs11js's worker keeps only raw
        // pointers to both buffers (src/worker.cpp), so the callback must hold them until C_Sign
        // is done: a collected input buffer is a use-after-free in the native thread.
        const input = Buffer.from(data)
        const output = Buffer.alloc(1024) // room for RSA keys up to 8192 bits
        try {
          lib.C_Sign(session, input, output, (error, signature) => {
            keepAlive(input, output)
            if (error) reject(toCallError(error, 'C_Sign'))
            else resolve(signature)
          })
        } catch (error) {
          reject(toCallError(error, 'C_Sign'))
        }
      }),
    release: () => {
      if (released) return
      released = true
      entry.users--
      if (entry.users > 0 || !entry.ownsInitialize) return
      try {
        lib.C_Finalize()
      } catch {
        // Nothing more to release.
      }
    },
  }
}

/** pkcs11js reports a CKR as a message `CKR_NAME` (Pkcs11Error) with a numeric code. */
function toCallError(error: unknown, operation: string): Pkcs11CallError {
  if (error instanceof Pkcs11CallError) return error
  const message = error instanceof Error ? error.message : ''
  const code = (error as { code?: unknown } | undefined)?.code
  const name = /^CKR_[A-Z0-9_]+/.exec(message)?.[0]
  if (name) return new Pkcs11CallError(name, operation, { cause: error })
  if (typeof code === 'number' && code > 0) return new Pkcs11CallError(`CKR_VENDOR_DEFINED_0x${code.toString(16)}`, operation, { cause: error })
  return new Pkcs11CallError('CKR_GENERAL_ERROR', operation, { cause: error })
}

/** Referenced from a callback so the buffers it names stay reachable until the callback runs. */
function keepAlive(...values: unknown[]): number {
  return values.length
}

function trimPadded(value: string): string {
  return value.replace(/[\s\0]+$/, '')
}
