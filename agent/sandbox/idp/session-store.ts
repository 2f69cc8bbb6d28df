import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { PersonId } from '../directory-data.js'
import type { Language } from './texts.js'

/**
 * A token the IDP obtained for the browser, waiting on the result page (I.AM fat-client SSO spec
 * v1.0 §5.2, step 4).
 */
export interface SsoResult {
  profile: string
  /** The `.ehtoken` file, ready to serve. */
  fileText: string
  fileName: string
  /** The same token as the STS issued it, a bare saml:Assertion document (the other download). */
  assertionText: string
  assertionFileName: string
  assertionId: string
  notOnOrAfter: Date
}

/** One browser's progress through the wizard. Kept server-side; the browser holds only the id. */
export interface IdpSession {
  readonly id: string
  /** Every form carries it; a POST without it is refused (the cookie alone proves nothing). */
  readonly csrf: string
  language: Language
  languageChosen: boolean
  personId: PersonId | undefined
  result: SsoResult | undefined
  /** The one download id the result page currently shows; replaced on each showing. */
  downloadId: string | undefined
  expiresAt: number
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  now: () => number
  /** Idle lifetime; each use extends it. Default 30 minutes. */
  idleMs?: number
  /** Most sessions kept at once; the least recently used goes first. Default 1000. */
  maxSessions?: number
}

/**
 * The IDP's server-side sessions, keyed by a random id the browser keeps in a cookie. Bounded in
 * time (idle expiry) and in number (a loop of fresh browsers cannot grow it without limit).
 */
export class SessionStore {
  private readonly sessions = new Map<string, IdpSession>()
  private readonly now: () => number
  private readonly idleMs: number
  private readonly maxSessions: number

  constructor(options: SessionStoreOptions) {
    this.now = options.now
    this.idleMs = options.idleMs ?? 30 * 60_000
    this.maxSessions = options.maxSessions ?? 1000
  }

  /** The live session of `id`, its lifetime extended; undefined for an unknown or expired id. */
  find(id: string | undefined): IdpSession | undefined {
    if (id === undefined) return undefined
    const session = this.sessions.get(id)
    if (!session) return undefined
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id)
      return undefined
    }
    // Re-inserting keeps the Map in least-recently-used order for eviction.
    this.sessions.delete(id)
    session.expiresAt = this.now() + this.idleMs
    this.sessions.set(id, session)
    return session
  }

  /** A fresh session, Dutch until the user picks a language (the fat-client SSO spec's screens are Dutch). */
  create(): IdpSession {
    this.sweep()
    const session: IdpSession = {
      id: randomId(),
      csrf: randomId(),
      language: 'nl',
      languageChosen: false,
      personId: undefined,
      result: undefined,
      downloadId: undefined,
      expiresAt: this.now() + this.idleMs,
    }
    this.sessions.set(session.id, session)
    return session
  }

  delete(id: string): void {
    this.sessions.delete(id)
  }

  get size(): number {
    return this.sessions.size
  }

  private sweep(): void {
    const now = this.now()
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id)
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value
      if (oldest === undefined) break
      this.sessions.delete(oldest)
    }
  }
}

/** Does the submitted form token equal the session's? Constant time, as for any secret. */
export function checkCsrf(session: IdpSession, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false
  const a = Buffer.from(session.csrf)
  const b = Buffer.from(submitted)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** 256 random bits, URL- and cookie-safe. */
export function randomId(): string {
  return randomBytes(32).toString('base64url')
}
