/**
 * The life of a PKCS#11 key source as an explicit state machine: every state it can be in, and
 * every transition between them, each in one place. pkcs11-key-source.ts decides *when* to move
 * (it talks to the token); this file says *what* each move does to the module, the sessions and
 * what is remembered, and refuses a move the current state does not allow.
 *
 * ```
 * no-module ──loadModule──▶ token-absent ──insertToken──▶ token-present ──logIn──▶ logged-in
 *                            ▲    ▲                          │    ▲                   │
 *                            │    └───────removeToken────────┘    └───────lock────────┤
 *                            └───────────────────────removeToken──────────────────────┘
 * any state ──close──▶ closed
 * ```
 *
 * `lock` is legal in every state and leaves the source logged out: from logged-in it runs C_Logout
 * (after the signatures in flight) and drops every session, from token-present it drops the
 * sessions, elsewhere there is nothing to lock.
 */
import { AgentError } from '../../protocol/errors.js'
import type { CertificateInfo } from './key-source.js'
import { Pkcs11CallError, type Pkcs11Handle, type Pkcs11Module, type Pkcs11TokenInfo } from './pkcs11-binding.js'
import { createSessionPool, type SessionPool } from './session-pool.js'

/** The states, in the order a source normally goes through them. */
export const PKCS11_STATE_NAMES = ['no-module', 'token-absent', 'token-present', 'logged-in', 'closed'] as const
export type Pkcs11StateName = (typeof PKCS11_STATE_NAMES)[number]

/** The token in use: its slot, and CK_TOKEN_INFO as last read (refreshed before each login). */
export interface Pkcs11Token {
  readonly slot: Pkcs11Handle
  info: Pkcs11TokenInfo
}

/** The certificate of the key, read from the token without login (a public object). */
export interface TokenCertificate {
  /** CKA_ID: how the eID pairs the certificate with its private key. */
  id: Buffer
  info: CertificateInfo
}

/** Why the sessions of a token were closed; what a task still waiting for one is told. */
export type SessionsClosedBy = 'ERR_NOT_LOGGED_IN' | 'ERR_TOKEN_ABSENT' | 'ERR_KEY_SOURCE'

export type Pkcs11State =
  /** Nothing loaded yet: the module is loaded on first use. */
  | { readonly name: 'no-module' }
  /** The module is loaded, no token is selected: none yet, or the card was removed (`removed`). */
  | { readonly name: 'token-absent'; readonly module: Pkcs11Module; readonly removed: boolean; readonly lastTokenLabel: string | undefined }
  /** A token is selected, with a pool of sessions on it; not logged in. */
  | {
      readonly name: 'token-present'
      readonly module: Pkcs11Module
      readonly token: Pkcs11Token
      readonly sessions: SessionPool<Pkcs11Handle>
      readonly certificate: TokenCertificate | undefined
    }
  /** Logged in: `key` signs. */
  | {
      readonly name: 'logged-in'
      readonly module: Pkcs11Module
      readonly token: Pkcs11Token
      readonly sessions: SessionPool<Pkcs11Handle>
      readonly certificate: TokenCertificate
      readonly key: Pkcs11Handle
    }
  /** For good: the module is released. */
  | { readonly name: 'closed'; readonly lastTokenLabel: string | undefined }

/** The states that hold a token. */
export type Pkcs11TokenState = Extract<Pkcs11State, { name: 'token-present' | 'logged-in' }>

export interface Pkcs11StateMachine {
  readonly state: Pkcs11State
  /** no-module → token-absent. */
  loadModule(module: Pkcs11Module): void
  /** token-absent → token-present, with a fresh pool of (lazily opened) sessions on `token`. */
  insertToken(token: Pkcs11Token): void
  /**
   * token-present | logged-in → token-absent (removed): the card is gone, so its login, key and
   * certificate are forgotten (the next card may be another person's) and its sessions closed.
   */
  removeToken(): void
  /**
   * token-present → logged-in, with the private key found after C_Login. The certificate must
   * have been remembered first: the key is the certificate's.
   */
  logIn(key: Pkcs11Handle): void
  /**
   * Any state → logged out, nothing unlocked. From logged-in: C_Logout once the signatures in
   * flight are done, then every session closed; from token-present: the sessions closed. The
   * state changes at once (a `sign` that starts now is refused); the promise settles when the
   * sessions are closed. Tasks still waiting for a session fail with `closedBy`.
   */
  lock(closedBy?: SessionsClosedBy): Promise<void>
  /** Any state → closed: locked, sessions closed, the module released. Idempotent. */
  close(): Promise<void>
  /** Replace the token's CK_TOKEN_INFO (flags change as PINs fail). In token-present and logged-in. */
  updateTokenInfo(info: Pkcs11TokenInfo): void
  /**
   * Keep the certificate read from `token`, if that token is still the one in use (a removal
   * while it was being read makes it another card's business); whether it was kept.
   */
  rememberCertificate(token: Pkcs11Token, certificate: TokenCertificate): boolean
}

export interface Pkcs11StateMachineOptions {
  /** Sessions per token: concurrent signatures (one operation per session, v2.40 §5.11). */
  sessions: number
}

/** Errors after which a session cannot be used again, so the pool drops it. */
const SESSION_GONE = new Set(['CKR_SESSION_HANDLE_INVALID', 'CKR_SESSION_CLOSED', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_PRESENT', 'CKR_DEVICE_ERROR'])

/**
 * A new state machine, in state no-module.
 *
 * @example
 * ```ts
 * const machine = createPkcs11StateMachine({ sessions: 4 })
 * machine.loadModule(binding.open(path))
 * machine.insertToken({ slot, info })
 * await machine.lock() // nothing was unlocked: only the sessions are dropped
 * ```
 */
export function createPkcs11StateMachine(options: Pkcs11StateMachineOptions): Pkcs11StateMachine {
  let state: Pkcs11State = { name: 'no-module' }
  const closedBy = new WeakMap<SessionPool<Pkcs11Handle>, SessionsClosedBy>()

  function openSessions(module: Pkcs11Module, slot: Pkcs11Handle): SessionPool<Pkcs11Handle> {
    const pool: SessionPool<Pkcs11Handle> = createSessionPool<Pkcs11Handle>({
      size: options.sessions,
      open: () => module.openSession(slot),
      close: (session) => module.closeSession(session),
      isBroken: (error) => error instanceof Pkcs11CallError && SESSION_GONE.has(error.ckr),
      createClosedError: () => closedError(closedBy.get(pool) ?? 'ERR_NOT_LOGGED_IN'),
    })
    return pool
  }

  function closeSessions(pool: SessionPool<Pkcs11Handle>, reason: SessionsClosedBy, lastTask?: (session: Pkcs11Handle) => void): Promise<void> {
    closedBy.set(pool, reason)
    return pool.close(lastTask)
  }

  function refuse(transition: string): never {
    if (state.name === 'closed') throw closedError('ERR_KEY_SOURCE')
    throw new AgentError('ERR_KEY_SOURCE', `the PKCS#11 key source cannot ${transition} in state ${state.name}`, { detail: `illegal transition: ${transition} from ${state.name}` })
  }

  function tokenState(transition: string): Pkcs11TokenState {
    if (state.name !== 'token-present' && state.name !== 'logged-in') refuse(transition)
    return state
  }

  return {
    get state() {
      return state
    },

    loadModule(module) {
      if (state.name !== 'no-module') refuse('load a module')
      state = { name: 'token-absent', module, removed: false, lastTokenLabel: undefined }
    },

    insertToken(token) {
      if (state.name !== 'token-absent') refuse('select a token')
      state = { name: 'token-present', module: state.module, token, sessions: openSessions(state.module, token.slot), certificate: undefined }
    },

    removeToken() {
      const from = tokenState('forget a removed token')
      state = { name: 'token-absent', module: from.module, removed: true, lastTokenLabel: from.token.info.label }
      // No C_Logout: the card is gone, and with it its login. Nobody waits for this close.
      void closeSessions(from.sessions, 'ERR_TOKEN_ABSENT')
    },

    logIn(key) {
      if (state.name !== 'token-present') refuse('log in')
      if (state.certificate === undefined) refuse('log in before the certificate is read')
      state = { name: 'logged-in', module: state.module, token: state.token, sessions: state.sessions, certificate: state.certificate, key }
    },

    lock(reason = 'ERR_NOT_LOGGED_IN') {
      if (state.name !== 'token-present' && state.name !== 'logged-in') return Promise.resolve() // nothing is unlocked
      const from = state
      state = { name: 'token-present', module: from.module, token: from.token, sessions: openSessions(from.module, from.token.slot), certificate: from.certificate }
      // Signatures already running finish first: C_Logout invalidates the key handle under them
      // (SoftHSM2 frees private objects on logout). C_Logout then logs out every session of this
      // application on the token (v2.40 §5.6) and the card forgets the PIN verification.
      return closeSessions(from.sessions, reason, from.name === 'logged-in' ? (session) => from.module.logout(session) : undefined)
    },

    async close() {
      const from = state
      if (from.name === 'closed') return
      state = { name: 'closed', lastTokenLabel: lastTokenLabelOf(from) }
      if (from.name === 'token-present' || from.name === 'logged-in') {
        await closeSessions(from.sessions, 'ERR_KEY_SOURCE', from.name === 'logged-in' ? (session) => from.module.logout(session) : undefined)
      }
      if (from.name !== 'no-module') from.module.release()
    },

    updateTokenInfo(info) {
      tokenState('read the token').token.info = info
    },

    rememberCertificate(token, certificate) {
      if (state.name !== 'token-present' || state.token !== token) return false
      state = { ...state, certificate }
      return true
    },
  }
}

/** The label of the token in use, or of the last one (a removed card is still named in prompts). */
export function lastTokenLabelOf(state: Pkcs11State): string | undefined {
  switch (state.name) {
    case 'no-module':
      return undefined
    case 'token-absent':
    case 'closed':
      return state.lastTokenLabel
    case 'token-present':
    case 'logged-in':
      return state.token.info.label
  }
}

/** What a task learns when the sessions it waited for were closed, or when the source is closed. */
export function closedError(reason: SessionsClosedBy): AgentError {
  switch (reason) {
    case 'ERR_TOKEN_ABSENT':
      return new AgentError('ERR_TOKEN_ABSENT', 'the card was removed')
    case 'ERR_KEY_SOURCE':
      return new AgentError('ERR_KEY_SOURCE', 'this PKCS#11 key source was closed', { detail: 'closed' })
    case 'ERR_NOT_LOGGED_IN':
      return new AgentError('ERR_NOT_LOGGED_IN', 'the token was logged out; log in again')
  }
}
