/**
 * What the machine offers for asking the user, as agent/main.ts (the only reader of the
 * environment) finds it: a graphical session, a D-Bus session bus for the tray icon, and the
 * system locale for the pages' language.
 */
export interface DesktopFacts {
  platform: string
  /** Windows and macOS: always (the agent runs in the user's session). Elsewhere: $DISPLAY or $WAYLAND_DISPLAY. */
  display: boolean
  /**
   * Linux tray icons are StatusNotifier items on the D-Bus session bus (libappindicator); without
   * a bus there is no tray host to show one.
   */
  sessionBus: boolean
  /** The locale for messages, most specific first (`nl_BE.UTF-8`, or a `LANGUAGE` list before it). */
  locale: string | undefined
  /** Where a Chromium-family browser may be installed, for the prompts' app window (protocol/desktop/browser-launch.ts). */
  browser?: { path?: string | undefined; home?: string | undefined; programFiles?: string | undefined; programFilesX86?: string | undefined; localAppData?: string | undefined }
}

/** The variables readDesktopFacts looks at. */
export interface DesktopEnvironment {
  DISPLAY?: string | undefined
  WAYLAND_DISPLAY?: string | undefined
  DBUS_SESSION_BUS_ADDRESS?: string | undefined
  XDG_RUNTIME_DIR?: string | undefined
  LANGUAGE?: string | undefined
  LC_ALL?: string | undefined
  LC_MESSAGES?: string | undefined
  LANG?: string | undefined
  PATH?: string | undefined
  HOME?: string | undefined
  ProgramFiles?: string | undefined
  'ProgramFiles(x86)'?: string | undefined
  LOCALAPPDATA?: string | undefined
}

/**
 * The facts from the environment. `exists` checks for the bus socket at its default place
 * (`$XDG_RUNTIME_DIR/bus`, used when the address variable is not set); `osLocale` is the
 * platform's own (Intl's default), for Windows and macOS, which set no LANG.
 */
export function readDesktopFacts(env: DesktopEnvironment, platform: string, exists: (path: string) => boolean, osLocale?: string): DesktopFacts {
  const graphical = platform === 'win32' || platform === 'darwin' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  const bus = platform === 'win32' || platform === 'darwin' || Boolean(env.DBUS_SESSION_BUS_ADDRESS) || (Boolean(env.XDG_RUNTIME_DIR) && exists(`${env.XDG_RUNTIME_DIR}/bus`))
  // POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG; gettext's LANGUAGE list comes first
  // unless the locale is C/POSIX, which means "untranslated".
  const posix = env.LC_ALL || env.LC_MESSAGES || env.LANG || undefined
  const untranslated = posix !== undefined && /^(C|POSIX)([._@]|$)/.test(posix)
  const parts = untranslated ? [] : [env.LANGUAGE, posix ?? osLocale].filter((p): p is string => Boolean(p))
  const browser = { path: env.PATH, home: env.HOME, programFiles: env.ProgramFiles, programFilesX86: env['ProgramFiles(x86)'], localAppData: env.LOCALAPPDATA }
  const known = Object.fromEntries(Object.entries(browser).filter(([, v]) => v !== undefined && v !== ''))
  return { platform, display: graphical, sessionBus: bus, locale: parts.length > 0 ? parts.join(':') : undefined, ...(Object.keys(known).length > 0 ? { browser: known } : {}) }
}
