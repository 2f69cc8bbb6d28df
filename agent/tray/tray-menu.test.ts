import { describe, expect, it } from 'vitest'
import { stringsFor } from '../ui/i18n/strings.js'
import { trayIcon } from './draw-icon.js'
import { buildTrayModel, offeredProfiles, type TrayState } from './tray-menu.js'

const PROFILES = offeredProfiles('doctor')
const UNTIL = new Date(Date.UTC(2026, 10, 23, 17, 30))
const identity = { name: 'Anne Janssens', profile: { id: 'doctor', label: 'Doctor' }, until: UNTIL }

// The clock of the tests: the same day as UNTIL, 14:00 UTC.
const NOW = new Date(Date.UTC(2026, 10, 23, 14, 0))

function model(state: TrayState, language: 'en' | 'nl' | 'fr' = 'en', extra: { now?: Date; waiting?: { kind: 'sign-in' | 'pairing' | 'approval'; client: string } } = {}) {
  return buildTrayModel({ state, strings: stringsFor(language), time: { language, timeZone: 'UTC' }, profiles: PROFILES, platform: 'linux', now: extra.now ?? NOW, ...(extra.waiting ? { waiting: extra.waiting } : {}) })
}

const byKey = (m: ReturnType<typeof model>, key: string) => {
  for (const item of m.items) {
    if (item.key === key) return item
    for (const sub of item.items ?? []) if (sub.key === key) return sub
  }
  throw new Error(key)
}

describe('buildTrayModel', () => {
  it('a "notify" client’s last signature shows in the tooltip, naming the program and the operation', () => {
    const m = buildTrayModel({
      state: { kind: 'signed-in', ...identity },
      strings: stringsFor('nl'),
      time: { language: 'nl', timeZone: 'UTC' },
      profiles: PROFILES,
      platform: 'linux',
      now: NOW,
      lastUse: { who: 'MediSoft (/usr/bin/python3.11, pid 42)', operation: '{urn:be:fgov:ehealth:test:v1}ConsultRequest' },
    })
    expect(m.tooltip).toBe('eHealth-agent: Aangemeld als Anne Janssens (Arts) tot 17:30 (over 4 u)\nLaatste handtekening: MediSoft (/usr/bin/python3.11, pid 42), {urn:be:fgov:ehealth:test:v1}ConsultRequest')
  })

  it('signed out: grey icon, "Sign in" open, the rest of the session items closed', () => {
    const m = model({ kind: 'signed-out' })
    expect([m.title, m.tooltip, m.icon]).toEqual(['eHealth', 'eHealth agent: Signed out', trayIcon('signed-out', 'linux')])
    expect([byKey(m, 'sign-in').enabled, byKey(m, 'switch').enabled, byKey(m, 'sign-out').enabled]).toEqual([true, false, false])
    expect(byKey(m, 'status')).toMatchObject({ title: 'Signed out', enabled: false })
  })

  it('signed in: who, which profile, until when; switching offers the other profiles', () => {
    const m = model({ kind: 'signed-in', ...identity })
    expect([m.title, m.tooltip, m.icon]).toEqual(['eHealth 17:30', 'eHealth agent: Signed in as Anne Janssens (Doctor) until 17:30 (in 4 h)', trayIcon('signed-in', 'linux')])
    expect([byKey(m, 'sign-in').enabled, byKey(m, 'switch').enabled, byKey(m, 'sign-out').enabled]).toEqual([false, true, true])
    expect(byKey(m, 'switch:doctor')).toMatchObject({ enabled: false, checked: true })
    expect(byKey(m, 'switch:citizen')).toMatchObject({ enabled: true, checked: false })
  })

  it('renewal needed and error', () => {
    expect(model({ kind: 'renewal-needed', ...identity }).tooltip).toBe('eHealth agent: Renewal needed: the session ends at 17:30 (in 4 h)')
    const error = model({ kind: 'error', message: 'ERR_STS_REJECTED', identity })
    expect([error.title, error.tooltip, error.icon]).toEqual(['eHealth !', 'eHealth agent: Error: ERR_STS_REJECTED', trayIcon('error', 'linux')])
    expect(byKey(error, 'sign-out').enabled).toBe(true)
  })

  it('a privacy log nearly full warns in the menu and the tooltip; a full one shows as an error', () => {
    const input = { state: { kind: 'signed-in', ...identity } as TrayState, strings: stringsFor('en'), time: { language: 'en' as const, timeZone: 'UTC' }, profiles: PROFILES, platform: 'linux', now: NOW }
    const nearly = buildTrayModel({ ...input, privacyLog: { state: 'nearly-full', percent: 93 } })
    expect(byKey(nearly, 'audit').title).toBe('Privacy log 93% full…')
    expect([nearly.title, nearly.icon]).toEqual(['eHealth 17:30', trayIcon('signed-in', 'linux')])
    expect(nearly.tooltip).toBe('eHealth agent: Signed in as Anne Janssens (Doctor) until 17:30 (in 4 h); Privacy log 93% full')
    const full = buildTrayModel({ ...input, privacyLog: { state: 'full', percent: 100 } })
    expect([full.title, full.icon, byKey(full, 'audit').title]).toEqual(['eHealth !', trayIcon('error', 'linux'), 'Privacy log full: signing refused…'])
    expect(byKey(buildTrayModel({ ...input, strings: stringsFor('nl'), privacyLog: { state: 'full', percent: 100 } }), 'audit').title).toBe('Privacylogboek vol: ondertekenen geweigerd…')
    // The menu keeps its shape (the helper cannot add items later).
    expect(full.items.map((i) => i.key)).toEqual(model({ kind: 'signed-in', ...identity }).items.map((i) => i.key))
  })

  it('in Dutch and French', () => {
    expect(model({ kind: 'signed-in', ...identity }, 'nl').tooltip).toBe('eHealth-agent: Aangemeld als Anne Janssens (Arts) tot 17:30 (over 4 u)')
    expect(model({ kind: 'signed-in', ...identity }, 'fr').tooltip).toBe('Agent eHealth : Connecté en tant que Anne Janssens (Médecin) jusqu’à 17:30 (dans 4 h)')
    expect(byKey(model({ kind: 'signed-out' }, 'nl'), 'quit').title).toBe('Afsluiten')
  })

  it('a session that ends another day says the day, in the title too', () => {
    const evening = new Date(Date.UTC(2026, 10, 22, 19, 57))
    const m = model({ kind: 'signed-in', ...identity }, 'en', { now: evening })
    expect([m.title, m.tooltip]).toEqual(['eHealth tomorrow 17:30', 'eHealth agent: Signed in as Anne Janssens (Doctor) until tomorrow 17:30 (in 22 h)'])
    expect(model({ kind: 'signed-in', ...identity }, 'fr', { now: new Date(Date.UTC(2026, 10, 20, 9, 0)) }).title).toBe('eHealth 23 nov. 17:30')
  })

  it('a prompt waiting for the user: said in the title and tooltip; the menu opens it again', () => {
    expect(byKey(model({ kind: 'signed-out' }), 'open-prompt').enabled).toBe(false)
    const m = model({ kind: 'signed-out' }, 'en', { waiting: { kind: 'sign-in', client: 'MediSoft 4.2' } })
    expect(m.title).toBe('eHealth: waiting for you')
    expect(m.tooltip).toBe('eHealth agent: Waiting for you: “MediSoft 4.2” asks to sign in · Signed out')
    expect(byKey(m, 'open-prompt')).toMatchObject({ enabled: true, title: 'Waiting for you: “MediSoft 4.2” asks to sign in: open the waiting request…' })
    expect(byKey(model({ kind: 'signed-out' }, 'nl', { waiting: { kind: 'pairing', client: 'X' } }), 'open-prompt').title).toBe('Wacht op u: „X” vraagt toelating: het wachtende verzoek openen…')
  })

  it('the menu never changes shape, whatever the state (the helper cannot add items later)', () => {
    const keys = (m: ReturnType<typeof model>) => JSON.stringify(m.items.map((i) => [i.key, (i.items ?? []).map((s) => s.key)]))
    const shapes = new Set(
      [model({ kind: 'signed-out' }), model({ kind: 'signed-in', ...identity }), model({ kind: 'error', message: 'x' }), model({ kind: 'signed-out' }, 'en', { waiting: { kind: 'sign-in', client: 'x' } })].map(keys),
    )
    expect(shapes.size).toBe(1)
  })
})

describe('offeredProfiles', () => {
  it('the default profile, and citizen for a care provider', () => {
    expect(offeredProfiles('doctor').map((p) => p.id)).toEqual(['doctor', 'citizen'])
    expect(offeredProfiles('citizen').map((p) => p.id)).toEqual(['citizen'])
    expect(offeredProfiles('org:hospital').map((p) => p.id)).toEqual(['org:hospital'])
    expect(offeredProfiles('nonsense')).toEqual([])
  })
})
