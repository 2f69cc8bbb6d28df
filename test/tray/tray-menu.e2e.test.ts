import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TrayController } from '../../agent/tray/tray-controller.js'
import { findItem, startFakeTrayHost, type FakeTrayConnection, type FakeTrayHost, type FakeTrayItem, type FakeTrayMenu, type FakeTrayMessage } from '../helpers/fake-tray-helper.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'

// The tray of a real agent, through a fake helper that speaks systray2's JSON-lines protocol
// (no display needed): every menu item leads to its action, and the icon's title and tooltip
// follow the session (signed out, signed in as NAME (PROFILE) until HH:MM, renewal needed, error).

let host: FakeTrayHost
let t: UiTestAgent
let conn: FakeTrayConnection
let menu: FakeTrayMenu
let tray: TrayController

beforeAll(async () => {
  host = await startFakeTrayHost()
  t = await startUiTestAgent({ tray: { enabled: true, helperPath: host.helperPath } })
  conn = await host.connection()
  conn.ready()
  menu = await conn.menu()
  tray = (await t.agent.tray)!
}, 120_000)

afterAll(async () => {
  if (conn) void conn.waitFor((m) => m.type === 'exit', 10_000).then(() => conn.exit(0), () => undefined)
  await t?.agent.close()
  await host?.close()
})

const item = (title: string | RegExp): FakeTrayItem => findItem(menu.items, title)

/** The next update-menu after `from` whose tooltip matches. */
async function tooltipAfter(from: number, tooltip: RegExp): Promise<FakeTrayMessage & { menu: { title: string; tooltip: string; icon: string } }> {
  return (await conn.waitFor((m) => m.type === 'update-menu' && tooltip.test((m.menu as { tooltip: string }).tooltip), 10_000, from)) as FakeTrayMessage & {
    menu: { title: string; tooltip: string; icon: string }
  }
}

/** The latest state of each item the agent updated since `from`, by __id. */
function itemsAfter(from: number): Map<number, { title: string; enabled: boolean; checked: boolean }> {
  const out = new Map<number, { title: string; enabled: boolean; checked: boolean }>()
  for (const m of conn.received.slice(from)) if (m.type === 'update-item') out.set((m.item as { __id: number }).__id, m.item as { title: string; enabled: boolean; checked: boolean })
  return out
}

/** Redeem a link the agent opened; the page it leads to. */
async function landing(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' })
  expect(response.status).toBe(303)
  return response.headers.get('location')!
}

/** Sign in through the prompt the tray's action opened, answering as the user would. */
async function answerSignIn(secret: string, landedOn?: string): Promise<void> {
  const location = landedOn ?? (await landing(await t.opened.next()))
  const id = /^\/ui\/prompt\/(.+)$/.exec(location)![1]!
  const entry = t.web.desk.get(id)!
  expect(entry.question.kind).toBe('sign-in')
  // The prompt names who asked: the user, from the tray.
  expect(entry.question.prompt.client).toBe('eHealth agent (tray menu)')
  expect(t.web.desk.answer(id, { kind: 'secret', secret })).toBe(true)
}

function hhmm(date: Date): string {
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`
}

describe('the tray menu', () => {
  it('starts signed out, with every item of the issue in order', () => {
    expect(menu.title).toBe('eHealth')
    expect(menu.tooltip).toBe('eHealth agent: Signed out')
    expect(Buffer.from(menu.icon, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG')
    expect(menu.items.map((i) => i.title)).toEqual([
      'Signed out',
      'open the waiting request…',
      '<SEPARATOR>',
      'Sign in',
      'Switch profile',
      'Sign out',
      '<SEPARATOR>',
      'Import SSO token…',
      'Open the eHealth SSO page',
      '<SEPARATOR>',
      'Paired applications…',
      'Privacy log…',
      'Settings…',
      '<SEPARATOR>',
      'Quit',
    ])
    expect(item('Sign in').items!.map((i) => i.title)).toEqual(['Doctor', 'Citizen'])
    expect(item('Switch profile').items!.map((i) => i.title)).toEqual(['Doctor', 'Citizen'])
    expect([item('Signed out').enabled, item('Sign in').enabled, item('Switch profile').enabled, item('Sign out').enabled]).toEqual([false, true, false, false])
    expect(item('open the waiting request…').enabled).toBe(false)
  })

  it('each admin item opens its page in the browser with a fresh one-time link', async () => {
    const seen = new Set<string>()
    for (const [title, page] of [
      ['Settings…', 'settings'],
      ['Paired applications…', 'clients'],
      ['Privacy log…', 'audit'],
      ['Import SSO token…', 'import'],
    ] as const) {
      conn.click(item(title))
      const url = await t.opened.next()
      expect(url).toMatch(new RegExp(`^${t.origin}/ui/open\\?t=[A-Za-z0-9_-]{43}$`))
      expect(seen.has(url)).toBe(false)
      seen.add(url)
      expect(await landing(url)).toBe(`/ui/admin/${page}`)
    }
  })

  it('"Open the eHealth SSO page" opens the environment\'s IDP /idp/Token/SSO', async () => {
    conn.click(item('Open the eHealth SSO page'))
    const url = await t.opened.next()
    expect(url).toBe(t.agent.services.environment.idpSso)
    expect(url).toMatch(/\/idp\/Token\/SSO$/)
  })

  it('Sign in ▸ Doctor asks the user (the tray says a prompt waits, and opens it again), then the icon says who is signed in until when', async () => {
    const from = conn.received.length
    conn.click(findItem(item('Sign in').items!, 'Doctor'))
    const first = await t.opened.next()
    const waiting = await tooltipAfter(from, /Waiting for you/)
    expect(waiting.menu.tooltip).toBe('eHealth agent: Waiting for you: “eHealth agent (tray menu)” asks to sign in · Signed out')
    expect(waiting.menu.title).toBe('eHealth: waiting for you')
    await expect.poll(() => itemsAfter(from).get(item('open the waiting request…').__id)?.enabled).toBe(true)
    // Its window closed or lost: the tray opens the same prompt again, with a fresh link.
    conn.click(item('open the waiting request…'))
    const again = await t.opened.next()
    expect(again).not.toBe(first)
    const [a, b] = [await landing(first), await landing(again)]
    expect(a).toMatch(/^\/ui\/prompt\/.+$/)
    expect(b).toBe(a)
    await answerSignIn('sandbox', b)
    const update = await tooltipAfter(from, /Signed in/)
    const token = t.agent.services.session.current()!
    expect(token.profile.id).toBe('doctor')
    // A 24-hour token ends tomorrow: the day and the distance are said.
    const until = hhmm(token.assertion.conditions.notOnOrAfter)
    expect(update.menu.tooltip).toMatch(new RegExp(`^eHealth agent: Signed in as [A-Z][a-z]+ [A-Z][a-z]+ \\(Doctor\\) until tomorrow ${until} \\(in 24 h\\)$`))
    expect(update.menu.title).toBe(`eHealth tomorrow ${until}`)
    expect(update.menu.icon).not.toBe(menu.icon)
    await tray.settled()
    // Sent is not yet received: the lines still travel through the helper process.
    const switchDoctor = findItem(item('Switch profile').items!, 'Doctor')
    const expected = [item('Signed out').__id, item('Sign in').__id, item('Switch profile').__id, item('Sign out').__id, switchDoctor.__id]
    await expect.poll(() => expected.every((id) => itemsAfter(from).has(id))).toBe(true)
    const items = itemsAfter(from)
    expect(items.get(item('Signed out').__id)?.title).toMatch(/^Signed in as .+ \(Doctor\) until tomorrow \d\d:\d\d \(in 24 h\)$/)
    expect(items.get(item('open the waiting request…').__id)?.enabled).toBe(false)
    expect(items.get(item('Sign in').__id)?.enabled).toBe(false)
    expect(items.get(item('Switch profile').__id)?.enabled).toBe(true)
    expect(items.get(item('Sign out').__id)?.enabled).toBe(true)
    expect(items.get(switchDoctor.__id)).toMatchObject({ enabled: false, checked: true })
  })

  it('a "renewal needed" notice shows in the title and tooltip', async () => {
    const from = conn.received.length
    const token = t.agent.services.session.current()!
    t.agent.services.prompter.notify({ kind: 'renewal-needed', text: 'The eHealth session must be renewed soon', at: token.renewAt })
    const update = await tooltipAfter(from, /Renewal needed/)
    expect(update.menu.tooltip).toBe(`eHealth agent: Renewal needed: the session ends at tomorrow ${hhmm(token.assertion.conditions.notOnOrAfter)} (in 24 h)`)
  })

  it('Switch profile ▸ Citizen signs out and in again with that profile', async () => {
    const from = conn.received.length
    conn.click(findItem(item('Switch profile').items!, 'Citizen'))
    await answerSignIn('sandbox')
    const update = await tooltipAfter(from, /\(Citizen\)/)
    expect(update.menu.tooltip).toMatch(/^eHealth agent: Signed in as .+ \(Citizen\) until tomorrow \d\d:\d\d \(in 24 h\)$/)
    expect(t.agent.services.session.current()?.profile.id).toBe('citizen')
  })

  it('an error notice shows in the title and tooltip', async () => {
    const from = conn.received.length
    t.agent.services.prompter.notify({ kind: 'error', text: 'eHealth is unavailable' })
    const update = await tooltipAfter(from, /Error/)
    expect(update.menu).toMatchObject({ title: 'eHealth !', tooltip: 'eHealth agent: Error: eHealth is unavailable' })
  })

  it('Sign out signs out; the icon says so', async () => {
    const from = conn.received.length
    conn.click(item('Sign out'))
    const update = await tooltipAfter(from, /Signed out/)
    expect(update.menu).toMatchObject({ title: 'eHealth', tooltip: 'eHealth agent: Signed out' })
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it('Quit asks the agent to stop', async () => {
    let quit = false
    void t.agent.quitRequested.then(() => (quit = true))
    conn.click(item('Quit'))
    await expect.poll(() => quit).toBe(true)
  })

  it('stopping the agent stops the helper with an exit message', async () => {
    const exit = conn.waitFor((m) => m.type === 'exit', 10_000)
    void exit.then(() => conn.exit(0))
    await t.agent.close()
    await exit
    await conn.closed
  })
})
