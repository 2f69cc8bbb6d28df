/**
 * What the tray shows for a state: icon, title, tooltip and the menu with its items enabled or
 * not. Pure: the same state and language give the same model, so tests compare models and the
 * tray sends only what changed.
 *
 * The menu's shape never changes (the helper cannot add items later); only texts and states do.
 */
import { PROFILES, isProfileId } from '../../protocol/sts/profiles.js'
import { describeMoment } from '../../protocol/time/describe-moment.js'
import { formatMoment, profileName, type Strings, type TimeFormat } from '../ui/i18n/strings.js'
import { trayIcon, type IconState } from './draw-icon.js'
import { SEPARATOR, type TrayItem, type TrayModel } from './start-tray.js'

/** Who is signed in, as the tray says it. */
export interface TrayIdentity {
  name: string
  profile: { id: string; label: string }
  until: Date
}

export type TrayState =
  | { kind: 'signed-out' }
  | ({ kind: 'signed-in' } & TrayIdentity)
  | ({ kind: 'renewal-needed' } & TrayIdentity)
  | { kind: 'error'; message: string; identity?: TrayIdentity }

/** What each menu item does; profile items carry the profile id after the colon. */
export const TRAY_ACTIONS = ['open-prompt', 'sign-in', 'switch', 'sign-out', 'import-token', 'open-sso', 'clients', 'audit', 'settings', 'quit'] as const
export type TrayAction = (typeof TRAY_ACTIONS)[number]

export interface TrayMenuInput {
  state: TrayState
  strings: Strings
  time: TimeFormat
  /** The profiles offered under "Sign in" and "Switch profile", in menu order. */
  profiles: readonly { id: string; label: string }[]
  platform: string
  /** For "until tomorrow 19:57 (in 23 h)". */
  now: Date
  /** A prompt waits for the user (its page may have been closed): said first, and the menu reopens it. */
  waiting?: { kind: 'sign-in' | 'pairing' | 'approval'; client: string }
  /** The privacy log when it needs attention: nearly full (a warning) or full (uses of the token refused). */
  privacyLog?: { state: 'nearly-full' | 'full'; percent: number }
  /** The last signature of a client whose use policy is "notify": who (program), which operation. */
  lastUse?: { who: string; operation: string }
}

/** The tray model for a state. */
export function buildTrayModel(input: TrayMenuInput): TrayModel {
  const t = input.strings.tray
  const { state } = input
  const identity = state.kind === 'signed-out' ? undefined : state.kind === 'error' ? state.identity : state
  const time = (d: Date) => formatMoment(d, input.time, input.now)
  const text =
    state.kind === 'signed-out'
      ? t.signedOut
      : state.kind === 'signed-in'
        ? t.signedIn(state.name, profileName(input.strings, state.profile), time(state.until))
        : state.kind === 'renewal-needed'
          ? t.renewalNeeded(time(state.until))
          : t.error(state.message)
  // A full privacy log stops every use of the token: as visible as an error.
  const logFull = input.privacyLog?.state === 'full'
  const icon: IconState = logFull ? 'error' : state.kind
  const logText = input.privacyLog ? (logFull ? t.auditFull : t.auditNearlyFull(input.privacyLog.percent)) : undefined
  const withLog = logText ? `${text}; ${logText.replace(/…$/, '')}` : text
  // Short, as some desktops show it next to the icon; the tooltip says it all.
  const when = (d: Date) => describeMoment(d, { now: input.now, language: input.time.language, timeZone: input.time.timeZone }).when
  // A pairing and an approval (one use, another program, a website) both ask to be allowed.
  const waiting = input.waiting ? (input.waiting.kind === 'sign-in' ? t.waitingSignIn(input.waiting.client) : t.waitingPairing(input.waiting.client)) : undefined
  const title = waiting
    ? `${t.title}: ${t.waitingTitle}`
    : state.kind === 'error' || logFull
      ? `${t.title} !`
      : state.kind === 'signed-in' || state.kind === 'renewal-needed'
        ? `${t.title} ${when(state.until)}`
        : t.title
  const signedIn = identity !== undefined
  const profileItems = (action: 'sign-in' | 'switch'): TrayItem[] =>
    input.profiles.map((p) => {
      const current = identity?.profile.id === p.id
      return {
        key: `${action}:${p.id}`,
        title: profileName(input.strings, p),
        tooltip: profileName(input.strings, p),
        enabled: action === 'sign-in' ? !signedIn : !current,
        checked: current,
      }
    })
  const item = (key: string, title: string, enabled = true): TrayItem => ({ key, title, tooltip: title, enabled })
  return {
    icon: trayIcon(icon, input.platform),
    title,
    tooltip: [t.tooltip(waiting ? `${waiting} · ${withLog}` : withLog), ...(input.lastUse ? [t.lastUse(input.lastUse.who, input.lastUse.operation)] : [])].join('\n'),
    items: [
      { key: 'status', title: text, tooltip: text, enabled: false },
      // Always there (the menu cannot grow later); open only while a prompt waits.
      { key: 'open-prompt', title: waiting ? `${waiting}: ${t.openPrompt}` : t.openPrompt, tooltip: waiting ?? t.openPrompt, enabled: waiting !== undefined },
      separator(),
      { ...item('sign-in', t.signIn, !signedIn), items: profileItems('sign-in') },
      { ...item('switch', t.switchProfile, signedIn), items: profileItems('switch') },
      item('sign-out', t.signOut, signedIn),
      separator(),
      item('import-token', t.importToken),
      item('open-sso', t.openSso),
      separator(),
      item('clients', t.clients),
      item('audit', logText ?? t.audit),
      item('settings', t.settings),
      separator(),
      item('quit', t.quit),
    ],
  }
}

function separator(): TrayItem {
  return { key: SEPARATOR, title: '', tooltip: '', enabled: true }
}

/**
 * The profiles the menu offers: the configured default profile and, for a care provider, the
 * citizen profile every person also has. Which other qualities a person holds only the STS
 * knows, and the menu cannot grow later, so it offers no guesses.
 */
export function offeredProfiles(defaultProfile: string): { id: string; label: string }[] {
  if (!isProfileId(defaultProfile)) return []
  const profile = PROFILES[defaultProfile]
  const out = [{ id: profile.id, label: profile.label }]
  if (profile.kind === 'quality') out.push({ id: PROFILES.citizen.id, label: PROFILES.citizen.label })
  return out
}
