import type { WebPrompter } from '../consent/web-prompter.js'
import type { AgentServices } from '../rpc/method-context.js'
import type { SessionEvent } from '../session/session.js'
import type { TrayController } from '../tray/tray-controller.js'
import type { Language } from '../ui/i18n/language.js'
import type { AdminPage } from '../ui/ui-access.js'
import type { StartAgentOptions } from './start-agent-options.js'

/**
 * The tray icon, when the desktop asks for one. Never fails the start: a tray that cannot start
 * (no display, no tray host, helper missing or silent) is one clear log line, and the agent goes
 * on with the browser and terminal prompts.
 */
export async function startDesktopTray(
  opts: StartAgentOptions,
  parts: {
    services: AgentServices
    runtimeDir: string
    language: () => Language
    adminLink: (page: AdminPage) => string
    onQuit: () => void
    subscribe: (listener: (event: SessionEvent | undefined) => void) => void
    /** Its prompts: the tray says when one waits for the user, and opens it again. */
    webPrompter?: WebPrompter | undefined
  },
): Promise<TrayController | undefined> {
  const desktop = opts.desktop
  if (!desktop) return undefined
  if (!desktop.tray.enabled) {
    opts.log(`tray icon: off — ${desktop.tray.reason}`)
    return undefined
  }
  const { enabled: _enabled, ...helper } = desktop.tray
  // Loaded only when there is a tray to show: systray2 and its file-system helpers are some fifty
  // modules an agent without a desktop (a server, a service, the bench) would load for nothing.
  const [{ TrayController }, { offeredProfiles }] = await Promise.all([import('../tray/tray-controller.js'), import('../tray/tray-menu.js')])
  const started = await TrayController.start({
    services: parts.services,
    language: parts.language,
    profiles: offeredProfiles(opts.config.defaultProfile),
    platform: opts.platform?.id ?? process.platform,
    runtimeDir: parts.runtimeDir,
    helper,
    timeZone: desktop.timeZone,
    openUrl: desktop.openUrl,
    adminLink: parts.adminLink,
    onQuit: parts.onQuit,
    ...(parts.webPrompter ? { openPrompt: () => parts.webPrompter!.reopen() } : {}),
    log: opts.log,
  })
  if ('reason' in started) {
    opts.log(`tray icon: off — ${started.reason}; sign-in prompts open in the browser`)
    return undefined
  }
  parts.subscribe((event) => started.tray.sessionChanged(event))
  const web = parts.webPrompter
  if (web) {
    web.desk.subscribe(() => started.tray.promptsChanged(web.desk.waiting()))
    started.tray.promptsChanged(web.desk.waiting())
  }
  return started.tray
}
