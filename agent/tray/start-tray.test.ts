import { mkdtempSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findItem, startFakeTrayHost, type FakeTrayHost } from '../../test/helpers/fake-tray-helper.js'
import { SEPARATOR, startTray, type TrayModel } from './start-tray.js'

// startTray against a fake helper speaking systray2's JSON-lines protocol: the protocol is right
// (ids, clicks, updates, exit), and every way a helper can fail ends in a reason, not a hang.

let host: FakeTrayHost
const runtimeDir = mkdtempSync(join(tmpdir(), 'tray-runtime-'))

beforeAll(async () => {
  host = await startFakeTrayHost()
})

afterAll(async () => {
  await host?.close()
})

function model(status = 'Signed out', signedIn = false): TrayModel {
  return {
    icon: Buffer.from('icon:' + status).toString('base64'),
    title: 'eHealth',
    tooltip: `eHealth agent: ${status}`,
    items: [
      { key: 'status', title: status, tooltip: status, enabled: false },
      { key: SEPARATOR, title: '', tooltip: '', enabled: true },
      {
        key: 'sign-in',
        title: 'Sign in',
        tooltip: 'Sign in',
        enabled: !signedIn,
        items: [
          { key: 'sign-in:doctor', title: 'Doctor', tooltip: 'Doctor', enabled: !signedIn, checked: signedIn },
          { key: 'sign-in:citizen', title: 'Citizen', tooltip: 'Citizen', enabled: !signedIn },
        ],
      },
      { key: 'sign-out', title: 'Sign out', tooltip: 'Sign out', enabled: signedIn },
      { key: SEPARATOR, title: '', tooltip: '', enabled: true },
      { key: 'quit', title: 'Quit', tooltip: 'Quit', enabled: true },
    ],
  }
}

function script(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tray-script-'))
  const path = join(dir, 'helper')
  writeFileSync(path, body)
  chmodSync(path, 0o755)
  return path
}

describe('startTray with a helper that speaks the protocol', () => {
  it('sends the menu after ready, maps clicks to keys, sends only what changed, and stops with exit', async () => {
    const clicks: string[] = []
    const starting = startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: host.helperPath, onClick: (k) => clicks.push(k) })
    const conn = await host.connection()
    conn.ready()
    const started = await starting
    expect(started.ok).toBe(true)
    if (!started.ok) return
    const menu = await conn.menu()
    expect(menu).toMatchObject({ title: 'eHealth', tooltip: 'eHealth agent: Signed out', icon: model().icon })
    // systray2 numbers items depth first from 1; separators are items too.
    expect(menu.items.map((i) => [i.title, i.__id, i.enabled])).toEqual([
      ['Signed out', 1, false],
      ['<SEPARATOR>', 2, true],
      ['Sign in', 3, true],
      ['Sign out', 6, false],
      ['<SEPARATOR>', 7, true],
      ['Quit', 8, true],
    ])
    expect(menu.items[2]!.items!.map((i) => [i.title, i.__id])).toEqual([
      ['Doctor', 4],
      ['Citizen', 5],
    ])

    conn.click(findItem(menu.items, 'Citizen'))
    conn.click(findItem(menu.items, 'Quit'))
    conn.click(findItem(menu.items, '<SEPARATOR>'))
    await expect.poll(() => clicks).toEqual(['sign-in:citizen', 'quit'])

    const from = conn.received.length
    await started.tray.update(model('Signed in as Anne Janssens (Doctor) until 14:05', true))
    const menuUpdate = await conn.waitFor((m) => m.type === 'update-menu', 5000, from)
    expect(menuUpdate).toMatchObject({ menu: { tooltip: 'eHealth agent: Signed in as Anne Janssens (Doctor) until 14:05', title: 'eHealth' } })
    await expect.poll(() => conn.received.slice(from).filter((m) => m.type === 'update-item').length).toBe(5)
    const items = conn.received.slice(from).filter((m) => m.type === 'update-item').map((m) => m.item as { __id: number; title: string; enabled: boolean; checked: boolean })
    expect(items.map((i) => [i.__id, i.title, i.enabled])).toEqual([
      [1, 'Signed in as Anne Janssens (Doctor) until 14:05', false],
      [3, 'Sign in', false],
      // Linux has no check marks: systray2 writes one into the title.
      [4, 'Doctor (√)', false],
      [5, 'Citizen', false],
      [6, 'Sign out', true],
    ])

    const same = conn.received.length
    await started.tray.update(model('Signed in as Anne Janssens (Doctor) until 14:05', true))
    await new Promise((r) => setTimeout(r, 100))
    expect(conn.received.length).toBe(same)

    void conn.waitFor((m) => m.type === 'exit', 5000, same).then(() => conn.exit(0))
    await started.tray.stop()
    await conn.closed
  })

  it('gives a helper that npm unpacked without its exec bit that bit', async () => {
    const plain = await startFakeTrayHost({ executable: false })
    try {
      expect(statSync(plain.helperPath).mode & 0o111).toBe(0)
      const starting = startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: plain.helperPath, onClick: () => undefined })
      const conn = await plain.connection()
      conn.ready()
      const started = await starting
      expect(started.ok).toBe(true)
      expect(statSync(plain.helperPath).mode & 0o100).toBe(0o100)
      void conn.waitFor((m) => m.type === 'exit').then(() => conn.exit(0))
      if (started.ok) await started.tray.stop()
    } finally {
      await plain.close()
    }
  })

  it('a helper that dies after it was ready is reported once; updates after that are dropped', async () => {
    const exits: string[] = []
    const starting = startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: host.helperPath, onClick: () => undefined, onExit: (d) => exits.push(d) })
    const conn = await host.connection()
    conn.ready()
    const started = await starting
    if (!started.ok) throw new Error(started.reason)
    await conn.menu()
    conn.exit(9)
    await expect.poll(() => exits).toEqual(['the tray helper exited (code 9)'])
    await started.tray.update(model('Signed in', true))
    await started.tray.stop()
  })

  it('a helper that ignores exit is killed after stopTimeoutMs', async () => {
    const starting = startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: host.helperPath, stopTimeoutMs: 300, onClick: () => undefined })
    const conn = await host.connection()
    conn.ready()
    const started = await starting
    if (!started.ok) throw new Error(started.reason)
    const t0 = Date.now()
    await started.tray.stop()
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(conn.received.some((m) => m.type === 'exit')).toBe(true)
    await conn.closed
  })
})

describe('startTray when the helper cannot run: a reason, never a hang', () => {
  it('the helper exits before it is ready (no display): its exit and last stderr line', async () => {
    const helper = script('#!/bin/sh\necho "(tray_linux_release:1): Gtk-WARNING **: cannot open display: " >&2\nexit 1\n')
    const t0 = Date.now()
    const started = await startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: helper, onClick: () => undefined })
    expect(started).toEqual({ ok: false, reason: 'the tray helper did not start: it exited (code 1) — (tray_linux_release:1): Gtk-WARNING **: cannot open display:' })
    expect(Date.now() - t0).toBeLessThan(5000)
  })

  it('the helper never says ready: a timeout, and the helper is killed', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'tray-pid-')), 'pid')
    const helper = script(`#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`)
    const started = await startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: helper, readyTimeoutMs: 400, onClick: () => undefined })
    expect(started).toEqual({ ok: false, reason: 'the tray helper did not start: it did not answer within 0.4 s' })
    const pid = Number((await import('node:fs')).readFileSync(pidFile, 'utf8'))
    await expect.poll(() => isAlive(pid)).toBe(false)
  })

  it('the helper is missing', async () => {
    const started = await startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: join(runtimeDir, 'nope'), onClick: () => undefined })
    expect(started.ok).toBe(false)
    if (!started.ok) expect(started.reason).toMatch(/^the tray helper cannot be prepared: ENOENT/)
  })

  it('a platform without a helper', async () => {
    await expect(startTray({ model: model(), platform: 'aix', runtimeDir, onClick: () => undefined })).resolves.toEqual({
      ok: false,
      reason: 'the tray helper cannot be prepared: no tray helper for aix',
    })
  })

  it('a helper that floods stderr (GTK warnings) before ready still starts: stderr is drained', async () => {
    const starting = startTray({ model: model(), platform: 'linux', runtimeDir, helperPath: host.helperPath, onClick: () => undefined })
    const conn = await host.connection()
    for (let i = 0; i < 400; i++) conn.stderr('W'.repeat(1000))
    conn.ready()
    const started = await starting
    expect(started.ok).toBe(true)
    void conn.waitFor((m) => m.type === 'exit').then(() => conn.exit(0))
    if (started.ok) await started.tray.stop()
  })
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
