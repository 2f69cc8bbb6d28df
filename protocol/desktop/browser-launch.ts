/**
 * Which program opens one of the agent's pages, per platform: a Chromium-family browser as an
 * app window (`--app=URL`: a window of its own with no tabs, address bar or history of other
 * sites) for the prompts, where one is installed; otherwise the user's default browser. Pure: the
 * caller says which files exist and what the environment holds, and spawns the command itself
 * (the agent for its prompts, the CLI for `ehagent ui`).
 *
 * @module
 */

/** A program and its arguments, run without a shell. */
export interface LaunchCommand {
  file: string
  args: string[]
}

/**
 * Only the agent's own pages and eHealth's: `http(s)://` with a plain host and a path, query and
 * fragment of URL-safe characters. Nothing a shell (or `cmd.exe`'s `start`) would read as syntax
 * can pass.
 */
const SAFE_URL = /^https?:\/\/[A-Za-z0-9.[\]:-]+(\/[A-Za-z0-9._~\/?=:@+-]*)?$/

/** Throws unless `url` is one the launchers may be given. */
export function checkLaunchUrl(url: string): void {
  if (!SAFE_URL.test(url)) throw new Error('refusing to open an unexpected URL')
}

/**
 * The command that opens `url` in the default browser: `xdg-open` on Linux and the BSDs, `open`
 * on macOS, `start` (a `cmd.exe` built-in) on Windows.
 *
 * @example
 * ```ts
 * defaultBrowserCommand('linux', 'http://127.0.0.1:4752/ui/open?t=x') // { file: 'xdg-open', args: ['http://…'] }
 * ```
 */
export function defaultBrowserCommand(platform: string, url: string): LaunchCommand {
  checkLaunchUrl(url)
  if (platform === 'darwin') return { file: 'open', args: [url] }
  // `start`'s first quoted argument is a window title, hence the empty one.
  if (platform === 'win32') return { file: 'cmd.exe', args: ['/d', '/s', '/c', 'start', '""', url] }
  return { file: 'xdg-open', args: [url] }
}

/** Where to look for a browser that can open an app window. */
export interface BrowserSearch {
  platform: string
  /** `$PATH` (`%PATH%`): Linux and the BSDs look up the browser's command there. */
  path?: string | undefined
  /** The home directory: macOS also looks in `~/Applications`. */
  home?: string | undefined
  /** Windows: `%ProgramFiles%`, `%ProgramFiles(x86)%`, `%LOCALAPPDATA%` (per-user Chrome). */
  programFiles?: string | undefined
  programFilesX86?: string | undefined
  localAppData?: string | undefined
  /** Whether a file exists (and, on Linux, is executable). */
  exists: (file: string) => boolean
}

/** Linux/BSD command names of Chromium, Chrome and Edge, in order of preference. */
const UNIX_COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge', 'microsoft-edge-stable']
/** macOS application bundles and the executable inside each. */
const MAC_APPS = [
  ['Google Chrome.app', 'Google Chrome'],
  ['Chromium.app', 'Chromium'],
  ['Microsoft Edge.app', 'Microsoft Edge'],
] as const
/** Windows installs, relative to a Program Files or LocalAppData directory. Edge ships with Windows 10 and 11. */
const WINDOWS_EXES = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe', 'Chromium\\Application\\chrome.exe']

/**
 * The executable of a Chromium-family browser (Chromium, Google Chrome, Microsoft Edge), which
 * opens `--app=URL` as an app window, or undefined when none is installed. Started while the
 * browser already runs, it hands the window to the running browser (its own singleton), so the
 * user's profile and its cookie for the agent's pages are the same as in a normal tab.
 */
export function findAppWindowBrowser(search: BrowserSearch): string | undefined {
  const candidates: string[] = []
  if (search.platform === 'darwin') {
    for (const root of ['/Applications', ...(search.home ? [`${search.home}/Applications`] : [])]) {
      for (const [bundle, exe] of MAC_APPS) candidates.push(`${root}/${bundle}/Contents/MacOS/${exe}`)
    }
  } else if (search.platform === 'win32') {
    const roots = [search.programFiles, search.programFilesX86, search.localAppData].filter((r): r is string => Boolean(r))
    for (const exe of WINDOWS_EXES) for (const root of roots) candidates.push(`${root.replace(/\\+$/, '')}\\${exe}`)
  } else {
    const dirs = (search.path ?? '').split(':').filter((d) => d.startsWith('/'))
    for (const name of UNIX_COMMANDS) for (const dir of dirs) candidates.push(`${dir.replace(/\/+$/, '')}/${name}`)
  }
  return candidates.find((file) => search.exists(file))
}

/**
 * How to open `url` for a prompt: an app window of the browser found, then (should that fail to
 * start) the default browser. Without a Chromium-family browser, the default browser only.
 */
export function promptLaunchCommands(url: string, search: BrowserSearch): LaunchCommand[] {
  checkLaunchUrl(url)
  const browser = findAppWindowBrowser(search)
  const fallback = defaultBrowserCommand(search.platform, url)
  return browser ? [{ file: browser, args: [`--app=${url}`] }, fallback] : [fallback]
}
