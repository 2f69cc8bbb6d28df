import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import { UiAccess } from './ui-access.js'

const ORIGIN = 'http://127.0.0.1:4752'

function tokenOf(link: string): string {
  const url = new URL(link)
  expect(url.origin + url.pathname).toBe(`${ORIGIN}/ui/open`)
  return url.searchParams.get('t')!
}

describe('UiAccess: one-time links', () => {
  it('a link is 256 random bits, works once, and starts a session with its grant', () => {
    const access = new UiAccess({ clock: new FakeClock(), origin: ORIGIN })
    const token = tokenOf(access.link({ kind: 'admin', page: 'settings' }))
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const first = access.redeem(token, undefined)
    expect(first?.grant).toEqual({ kind: 'admin', page: 'settings' })
    expect(access.redeem(token, undefined)).toBeUndefined()
    const session = access.session(first!.sessionId)!
    expect(session.admin).toBe(true)
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('a link expires after two minutes (default)', () => {
    const clock = new FakeClock()
    const access = new UiAccess({ clock, origin: ORIGIN })
    const late = tokenOf(access.link({ kind: 'admin', page: 'status' }))
    const inTime = tokenOf(access.link({ kind: 'admin', page: 'status' }))
    clock.advance(119_000)
    expect(access.redeem(inTime, undefined)).toBeDefined()
    clock.advance(1_000)
    expect(access.redeem(late, undefined)).toBeUndefined()
  })

  it('unknown, malformed and missing tokens are refused', () => {
    const access = new UiAccess({ clock: new FakeClock(), origin: ORIGIN })
    access.link({ kind: 'admin', page: 'status' })
    for (const token of [undefined, '', 'x', 'A'.repeat(43), 'A'.repeat(44), '../../etc/passwd']) expect(access.redeem(token, undefined)).toBeUndefined()
  })

  it('a prompt link grants that prompt only, not the admin pages', () => {
    const access = new UiAccess({ clock: new FakeClock(), origin: ORIGIN })
    const { sessionId } = access.redeem(tokenOf(access.link({ kind: 'prompt', promptId: 'p1' })), undefined)!
    const session = access.session(sessionId)!
    expect(session.admin).toBe(false)
    expect([...session.prompts]).toEqual(['p1'])
  })

  it('redeeming in a browser that has a session keeps its grants under a new id; the old id ends', () => {
    const access = new UiAccess({ clock: new FakeClock(), origin: ORIGIN })
    const a = access.redeem(tokenOf(access.link({ kind: 'admin', page: 'status' })), undefined)!
    const b = access.redeem(tokenOf(access.link({ kind: 'prompt', promptId: 'p2' })), a.sessionId)!
    expect(b.sessionId).not.toBe(a.sessionId)
    expect(access.session(a.sessionId)).toBeUndefined()
    const session = access.session(b.sessionId)!
    expect(session.admin).toBe(true)
    expect([...session.prompts]).toEqual(['p2'])
  })

  it('a session id the browser brings but the agent never made gives nothing (no fixation)', () => {
    const access = new UiAccess({ clock: new FakeClock(), origin: ORIGIN })
    const planted = 'P'.repeat(43)
    expect(access.session(planted)).toBeUndefined()
    const { sessionId } = access.redeem(tokenOf(access.link({ kind: 'admin', page: 'status' })), planted)!
    expect(sessionId).not.toBe(planted)
    expect(access.session(planted)).toBeUndefined()
  })

  it('a session ends after 30 minutes without use; use keeps it alive', () => {
    const clock = new FakeClock()
    const access = new UiAccess({ clock, origin: ORIGIN })
    const { sessionId } = access.redeem(tokenOf(access.link({ kind: 'admin', page: 'status' })), undefined)!
    clock.advance(29 * 60_000)
    expect(access.session(sessionId)).toBeDefined()
    clock.advance(29 * 60_000)
    expect(access.session(sessionId)).toBeDefined()
    clock.advance(30 * 60_000)
    expect(access.session(sessionId)).toBeUndefined()
  })

  it('CSRF: only the session\'s own token matches', () => {
    const access = new UiAccess({ clock: new FakeClock(), origin: ORIGIN })
    const one = access.session(access.redeem(tokenOf(access.link({ kind: 'admin', page: 'status' })), undefined)!.sessionId)!
    const two = access.session(access.redeem(tokenOf(access.link({ kind: 'admin', page: 'status' })), undefined)!.sessionId)!
    expect(access.checkCsrf(one, one.csrf)).toBe(true)
    expect(access.checkCsrf(one, two.csrf)).toBe(false)
    for (const bad of [undefined, '', one.csrf.slice(1), 42, [one.csrf]]) expect(access.checkCsrf(one, bad)).toBe(false)
  })

  it('holds a bounded number of links: the oldest go first', () => {
    const access = new UiAccess({ clock: new FakeClock(), origin: ORIGIN, maxEntries: 3 })
    const tokens = [1, 2, 3, 4].map(() => tokenOf(access.link({ kind: 'admin', page: 'status' })))
    expect(access.redeem(tokens[0], undefined)).toBeUndefined()
    expect(access.redeem(tokens[3], undefined)).toBeDefined()
  })
})
