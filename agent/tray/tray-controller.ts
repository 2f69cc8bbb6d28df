/**
 * The tray as part of the agent: it follows the session (signed in, renewal needed, signed out)
 * and the notices (errors), and turns menu clicks into the agent's actions — sign in or switch
 * profile (the user is then asked on the sign-in page like any caller), sign out, open the SSO
 * page, open an admin page with a fresh one-time link, quit.
 */
import { isAgentError } from '../../protocol/errors.js'
import type { DeskEntry } from '../consent/prompt-desk.js'
import type { Notice } from '../consent/prompter.js'
import type { OpenUrl } from '../consent/web-prompter.js'
import { loginWith } from '../rpc/methods/session-login.js'
import type { AgentServices, CallContext } from '../rpc/method-context.js'
import type { SessionEvent } from '../session/session.js'
import { holderName } from '../ui/holder-name.js'
import type { Language } from '../ui/i18n/language.js'
import { stringsFor } from '../ui/i18n/strings.js'
import type { AdminPage } from '../ui/ui-access.js'
import { startTray, type RunningTray, type TrayOptions } from './start-tray.js'
import { buildTrayModel, type TrayIdentity, type TrayState } from './tray-menu.js'

export interface TrayControllerOptions {
  services: AgentServices
  /** Read at every update: the settings page may change it. */
  language: () => Language
  profiles: readonly { id: string; label: string }[]
  platform: string
  runtimeDir: string
  helper?: TrayOptions
  timeZone?: string | undefined
  openUrl: OpenUrl
  /** A fresh one-time link to an admin page. */
  adminLink: (page: AdminPage) => string
  /** Quit was chosen. */
  onQuit: () => void
  /** Open the page of the prompt that waits for the user again (its window was closed or lost). */
  openPrompt?: () => Promise<unknown>
  log: (line: string) => void
}

/** What the menu's sign-in asks as: the user, at the tray. */
const TRAY_CALLER = { id: 'local', name: 'eHealth agent (tray menu)', scopes: { methods: ['*'], services: ['*'] } }
const ADMIN_ACTIONS: Record<string, AdminPage> = { 'import-token': 'import', clients: 'clients', audit: 'audit', settings: 'settings' }

export class TrayController {
  private readonly opts: TrayControllerOptions
  private readonly ctx: CallContext
  private tray: RunningTray | undefined
  private renewalNeeded = false
  private error: string | undefined
  /** The oldest prompt waiting for the user, as the menu says it. */
  private waiting: { kind: 'sign-in' | 'pairing' | 'approval'; client: string } | undefined
  /** The last use a "notify" client made, shown in the tooltip until the next one. */
  private lastUse: { who: string; operation: string } | undefined
  /** Updates go out one at a time, in order: a quick login-then-logout must end "signed out". */
  private updating: Promise<void> = Promise.resolve()

  private constructor(options: TrayControllerOptions) {
    this.opts = options
    this.ctx = { caller: TRAY_CALLER, agent: options.services }
  }

  /**
   * Start the tray icon. Undefined when it cannot start (no display, no tray host, no helper):
   * the agent then logs the one line it gets back and carries on without a tray.
   */
  static async start(options: TrayControllerOptions): Promise<{ tray: TrayController } | { reason: string }> {
    const controller = new TrayController(options)
    const started = await startTray({
      ...options.helper,
      model: controller.model(),
      platform: options.platform,
      runtimeDir: options.runtimeDir,
      onClick: (key) => void controller.act(key),
      onExit: (description) => {
        controller.tray = undefined
        options.log(`tray icon: gone — ${description}; sign-in prompts still open in the browser`)
      },
    })
    if (!started.ok) return { reason: started.reason }
    controller.tray = started.tray
    return { tray: controller }
  }

  /** A session event: the icon follows it. */
  sessionChanged(event: SessionEvent | undefined): void {
    if (event?.type === 'login' || event?.type === 'renewal' || event?.type === 'logout') {
      this.renewalNeeded = false
      this.error = undefined
    }
    if (event?.type === 'renewal-failed') this.renewalNeeded = true
    this.refresh()
  }

  /** A notice of the session: "renewal needed" and errors show in the icon. */
  notice(notice: Notice): void {
    if (notice.kind === 'renewal-needed') this.renewalNeeded = true
    if (notice.kind === 'error') this.error = notice.text
    if (notice.kind === 'used') this.lastUse = { who: notice.who, operation: notice.operation }
    this.refresh()
  }

  /**
   * The prompts that wait for the user changed: the tray says one waits (title, tooltip, and a
   * menu item that opens its page again), the notification that the page alone cannot give once
   * its window is hidden or closed.
   */
  promptsChanged(waiting: readonly DeskEntry[]): void {
    const first = waiting[0]
    const next = first ? { kind: first.question.kind, client: first.question.prompt.client } : undefined
    if (JSON.stringify(next) === JSON.stringify(this.waiting)) return
    this.waiting = next
    this.refresh()
  }

  /** Show the current state again (after a language change, too). */
  refresh(): void {
    const tray = this.tray
    if (!tray) return
    this.updating = this.updating.then(() => tray.update(this.model())).catch(() => undefined)
  }

  /** Resolves when every update asked for so far was sent. */
  settled(): Promise<void> {
    return this.updating
  }

  async stop(): Promise<void> {
    const tray = this.tray
    this.tray = undefined
    await this.updating
    await tray?.stop()
  }

  /** What a click does. Failures show in the icon; a cancelled sign-in is no failure. */
  async act(key: string): Promise<void> {
    const [action, profile] = key.split(':', 2) as [string, string | undefined]
    try {
      if ((action === 'sign-in' || action === 'switch') && profile) {
        if (action === 'switch') await this.opts.services.session.logout('switch-profile')
        this.error = undefined
        await loginWith(this.ctx, profile)
      } else if (action === 'sign-out') {
        await this.opts.services.session.logout('user')
      } else if (action === 'open-prompt') {
        await this.opts.openPrompt?.()
      } else if (action === 'open-sso') {
        await this.opts.openUrl(this.opts.services.environment.idpSso)
      } else if (ADMIN_ACTIONS[action]) {
        await this.opts.openUrl(this.opts.adminLink(ADMIN_ACTIONS[action]))
      } else if (action === 'quit') {
        this.opts.onQuit()
      }
    } catch (err) {
      if (isAgentError(err) && (err.code === 'ERR_USER_CANCELLED' || err.code === 'ERR_USER_TIMEOUT')) return
      this.error = isAgentError(err) ? err.code : (err as Error).message
      this.refresh()
    }
  }

  private model() {
    const log = this.opts.services.audit.status()
    return buildTrayModel({
      state: this.state(),
      strings: stringsFor(this.opts.language()),
      time: { language: this.opts.language(), timeZone: this.opts.timeZone },
      profiles: this.opts.profiles,
      platform: this.opts.platform,
      now: this.opts.services.clock.now(),
      ...(this.waiting ? { waiting: this.waiting } : {}),
      ...(log.state === 'nearly-full' || log.state === 'full' ? { privacyLog: { state: log.state, percent: Math.min(100, Math.floor((log.usedBytes / log.budgetBytes) * 100)) } } : {}),
      ...(this.lastUse ? { lastUse: this.lastUse } : {}),
    })
  }

  private state(): TrayState {
    const token = this.opts.services.session.current()
    const identity: TrayIdentity | undefined = token ? { name: holderName(token.assertion), profile: token.profile, until: token.assertion.conditions.notOnOrAfter } : undefined
    if (this.error !== undefined) return { kind: 'error', message: this.error, ...(identity ? { identity } : {}) }
    if (!identity) return { kind: 'signed-out' }
    return { kind: this.renewalNeeded ? 'renewal-needed' : 'signed-in', ...identity }
  }
}
