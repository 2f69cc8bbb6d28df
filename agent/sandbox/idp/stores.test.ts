import { describe, expect, it } from 'vitest'
import { DownloadStore } from './download-store.js'
import { checkCsrf, SessionStore } from './session-store.js'

function fakeClock(start = 1_700_000_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('DownloadStore', () => {
  const file = { fileText: '<x/>', fileName: 'session-doctor.ehtoken', assertionText: '<Assertion/>', assertionFileName: 'session-doctor.saml.xml' }

  it('hands a download out once', () => {
    const store = new DownloadStore({ now: fakeClock().now })
    const id = store.issue(file)
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(store.take(id)).toEqual(file)
    expect(store.take(id)).toBeUndefined()
  })

  it('expires a link after 5 minutes, and spends it on the late attempt', () => {
    const clock = fakeClock()
    const store = new DownloadStore({ now: clock.now })
    const early = store.issue(file)
    const late = store.issue(file)
    clock.advance(5 * 60_000 - 1)
    expect(store.take(early)).toEqual(file)
    clock.advance(1)
    expect(store.take(late)).toBeUndefined()
    expect(store.size).toBe(0)
  })

  it('revokes, and forgets expired links when issuing', () => {
    const clock = fakeClock()
    const store = new DownloadStore({ now: clock.now })
    const id = store.issue(file)
    store.revoke(id)
    expect(store.take(id)).toBeUndefined()
    store.issue(file)
    clock.advance(6 * 60_000)
    store.issue(file)
    expect(store.size).toBe(1)
  })

  it('knows no id it did not issue', () => {
    expect(new DownloadStore({ now: Date.now }).take('guess')).toBeUndefined()
  })
})

describe('SessionStore', () => {
  it('creates Dutch sessions with random ids and CSRF tokens', () => {
    const store = new SessionStore({ now: fakeClock().now })
    const a = store.create()
    const b = store.create()
    expect(a.language).toBe('nl')
    expect(a.languageChosen).toBe(false)
    expect(new Set([a.id, a.csrf, b.id, b.csrf]).size).toBe(4)
    expect(store.find(a.id)).toBe(a)
    expect(store.find('unknown')).toBeUndefined()
    expect(store.find(undefined)).toBeUndefined()
  })

  it('expires an idle session; use extends it', () => {
    const clock = fakeClock()
    const store = new SessionStore({ now: clock.now, idleMs: 1000 })
    const s = store.create()
    clock.advance(900)
    expect(store.find(s.id)).toBe(s)
    clock.advance(900)
    expect(store.find(s.id)).toBe(s)
    clock.advance(1000)
    expect(store.find(s.id)).toBeUndefined()
  })

  it('keeps at most maxSessions, dropping the least recently used', () => {
    const store = new SessionStore({ now: fakeClock().now, maxSessions: 2 })
    const a = store.create()
    const b = store.create()
    store.find(a.id)
    store.create()
    expect(store.size).toBe(2)
    expect(store.find(b.id)).toBeUndefined()
    expect(store.find(a.id)).toBe(a)
  })

  it('checks the CSRF token exactly', () => {
    const s = new SessionStore({ now: Date.now }).create()
    expect(checkCsrf(s, s.csrf)).toBe(true)
    expect(checkCsrf(s, s.csrf.slice(1))).toBe(false)
    expect(checkCsrf(s, s.csrf.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBe(false)
    expect(checkCsrf(s, undefined)).toBe(false)
    expect(checkCsrf(s, '')).toBe(false)
  })
})
