import type { TrayOptions } from '../tray/start-tray.js'
import type { DesktopFacts } from './desktop-facts.js'
import { FallbackPrompter } from './fallback-prompter.js'
import { accessSync, constants } from 'node:fs'
import { openInAppWindow, openInBrowser } from './open-url.js'
import type { Prompter } from './prompter.js'
import { TerminalPrompter, type Terminal } from './terminal-prompter.js'
import { WebPrompter, type OpenUrl } from './web-prompter.js'

/** The desktop side of a running agent: its pages' language, the browser, the web prompter, the tray. */
export interface DesktopOptions {
  /** The system locale (DesktopFacts.locale); the settings' `language` wins over it. */
  locale: string | undefined
  openUrl: OpenUrl
  /** Its prompts are shown on the agent's pages; startAgent connects it once they are served. */
  webPrompter?: WebPrompter
  /** Start the tray icon, or why not: the agent logs `tray icon: off — <reason>`, its one line about it. */
  tray: ({ enabled: true } & TrayOptions) | { enabled: false; reason: string }
  /** For times on pages and in the tray; undefined: the system's. */
  timeZone?: string
}

export interface PrompterChoice {
  /** Give to startAgent as `prompter`. */
  prompter: Prompter
  /** Give to startAgent as `desktop`. */
  desktop: DesktopOptions
  /** One line for the log: how the user will be asked. */
  summary: string
}

export interface ChoosePrompterOptions {
  facts: DesktopFacts
  /** The terminal the agent was started from (fallback, and the only way without a display). */
  terminal: Terminal
  /** Default: the platform's browser launcher (xdg-open, open, start). Given: it opens the prompts too. */
  openUrl?: OpenUrl
  /** How long the user has to answer a prompt; default 2 minutes. */
  timeoutMs?: number
}

/**
 * How the agent asks the user. With a display: on its own pages in the default browser (a tray
 * icon too where there is a tray host), falling back to the terminal when no browser can be
 * opened. Without one (a server, SSH): in the terminal only.
 */
export function choosePrompter(options: ChoosePrompterOptions): PrompterChoice {
  const { facts } = options
  const openUrl = options.openUrl ?? openInBrowser(facts.platform)
  const terminal = new TerminalPrompter({ terminal: options.terminal, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) })
  if (!facts.display) {
    return {
      prompter: terminal,
      desktop: { locale: facts.locale, openUrl, tray: { enabled: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set); sign-in prompts are asked in this terminal' } },
      summary: 'no display: the PIN and password are asked in this terminal',
    }
  }
  // A prompt opens as an app window of Chromium, Chrome or Edge where one is installed (a focused
  // window of its own, not a tab among others); else in the default browser.
  const openPrompt = options.openUrl ?? openInAppWindow({ platform: facts.platform, ...facts.browser, exists: canExecute })
  const web = new WebPrompter({ openUrl: openPrompt, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) })
  const tray: DesktopOptions['tray'] = facts.sessionBus
    ? { enabled: true }
    : { enabled: false, reason: 'no D-Bus session bus, so no tray host could show it; sign-in prompts open in the browser' }
  return {
    prompter: new FallbackPrompter(web, terminal),
    desktop: { locale: facts.locale, openUrl, webPrompter: web, tray },
    summary: 'the PIN and password are asked on the agent’s page in the browser (in this terminal if no browser opens)',
  }
}

/** An executable file (Windows: any file; X_OK means existence there). */
function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}
