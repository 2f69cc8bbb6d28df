/**
 * Who may see a page of the agent: whoever opened a link the agent itself made (the tray, a
 * prompt), in that browser, for a while. A link carries a one-time token (random, single use,
 * short-lived); redeeming it starts a session held in an HttpOnly, SameSite=Strict cookie and
 * takes the token out of the address bar. Each session has its own CSRF token for its forms.
 *
 * Tokens and session ids are 256-bit random values, kept only as SHA-256 digests and only in
 * memory: a restart of the agent ends every session. A session is never created from an id the
 * browser brings (no fixation): ids exist only once this module made them.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../clock.js'

/** The admin pages a link can open. */
export const ADMIN_PAGES = ['status', 'clients', 'audit', 'settings', 'import'] as const
export type AdminPage = (typeof ADMIN_PAGES)[number]

/** What a link opens: an admin page (and with it every admin page), or one prompt. */
export type UiGrant = { kind: 'admin'; page: AdminPage } | { kind: 'prompt'; promptId: string }

/** A browser's session with the pages. */
export interface UiSession {
  /** Put in every form; compared on every POST. */
  csrf: string
  admin: boolean
  prompts: ReadonlySet<string>
  /** One message shown on the next page (after a POST-redirect-GET). */
  flash?: { kind: 'ok' | 'error'; text: string }
}

export interface UiAccessOptions {
  clock: Clock
  /** `http://127.0.0.1:<port>`: the links' origin. */
  origin: string
  /** How long a link works; default 2 minutes (a browser that has to start first takes a while). */
  linkTtlMs?: number
  /** A session ends after this long without a request; default 30 minutes. */
  sessionIdleMs?: number
  /** Most links and sessions held at once; the oldest go first. Default 64 each. */
  maxEntries?: number
  random?: (bytes: number) => Buffer
}

interface LinkEntry {
  grant: UiGrant
  expiresAt: number
}

interface SessionEntry extends UiSession {
  prompts: Set<string>
  lastSeen: number
}

const TOKEN_BYTES = 32

/** The one-time links and the sessions they start. */
export class UiAccess {
  readonly origin: string
  private readonly clock: Clock
  private readonly linkTtlMs: number
  private readonly sessionIdleMs: number
  private readonly maxEntries: number
  private readonly random: (bytes: number) => Buffer
  private readonly links = new Map<string, LinkEntry>()
  private readonly sessions = new Map<string, SessionEntry>()

  constructor(options: UiAccessOptions) {
    this.origin = options.origin.replace(/\/+$/, '')
    this.clock = options.clock
    this.linkTtlMs = options.linkTtlMs ?? 120_000
    this.sessionIdleMs = options.sessionIdleMs ?? 30 * 60_000
    this.maxEntries = options.maxEntries ?? 64
    this.random = options.random ?? randomBytes
  }

  /** How long a link works once made. */
  get linkLifetimeMs(): number {
    return this.linkTtlMs
  }

  /** A fresh one-time link for `grant`. */
  link(grant: UiGrant): string {
    const token = this.random(TOKEN_BYTES).toString('base64url')
    this.prune()
    this.links.set(digest(token), { grant, expiresAt: this.now() + this.linkTtlMs })
    trim(this.links, this.maxEntries)
    return `${this.origin}/ui/open?t=${token}`
  }

  /**
   * Use a link's token: it is gone afterwards, whether it was still valid or not. A valid one
   * gives a new session id holding its grant plus those of the browser's current session (which
   * ends: the id changes at every redeem). Undefined for an unknown, used or expired token.
   */
  redeem(token: string | undefined, currentSessionId: string | undefined): { sessionId: string; grant: UiGrant } | undefined {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
    const key = digest(token)
    const entry = this.links.get(key)
    this.links.delete(key)
    if (!entry || entry.expiresAt <= this.now()) return undefined
    const previous = this.find(currentSessionId)
    if (currentSessionId !== undefined) this.sessions.delete(digest(currentSessionId))
    const sessionId = this.random(TOKEN_BYTES).toString('base64url')
    const session: SessionEntry = {
      csrf: this.random(TOKEN_BYTES).toString('base64url'),
      admin: (previous?.admin ?? false) || entry.grant.kind === 'admin',
      prompts: new Set(previous?.prompts ?? []),
      lastSeen: this.now(),
    }
    if (entry.grant.kind === 'prompt') session.prompts.add(entry.grant.promptId)
    this.prune()
    this.sessions.set(digest(sessionId), session)
    trim(this.sessions, this.maxEntries)
    return { sessionId, grant: entry.grant }
  }

  /** The session of this id, if it is still alive; each use keeps it alive a little longer. */
  session(sessionId: string | undefined): UiSession | undefined {
    const found = this.find(sessionId)
    if (found) found.lastSeen = this.now()
    return found
  }

  /** True when `token` is the session's CSRF token (constant time). */
  checkCsrf(session: UiSession, token: unknown): boolean {
    if (typeof token !== 'string') return false
    const a = Buffer.from(session.csrf)
    const b = Buffer.from(token)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  /** How long a session lives without use, for the cookie's Max-Age. */
  get sessionIdleSeconds(): number {
    return Math.floor(this.sessionIdleMs / 1000)
  }

  private find(sessionId: string | undefined): SessionEntry | undefined {
    if (typeof sessionId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return undefined
    const key = digest(sessionId)
    const found = this.sessions.get(key)
    if (!found) return undefined
    if (found.lastSeen + this.sessionIdleMs <= this.now()) {
      this.sessions.delete(key)
      return undefined
    }
    return found
  }

  private prune(): void {
    const now = this.now()
    for (const [key, link] of this.links) if (link.expiresAt <= now) this.links.delete(key)
    for (const [key, session] of this.sessions) if (session.lastSeen + this.sessionIdleMs <= now) this.sessions.delete(key)
  }

  private now(): number {
    return this.clock.now().getTime()
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}

/** Maps keep insertion order: the first entries are the oldest. */
function trim<V>(map: Map<string, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value!)
}
