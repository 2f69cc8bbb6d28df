import { spawn } from 'node:child_process'
import { defaultBrowserCommand, promptLaunchCommands, type BrowserSearch, type LaunchCommand } from '../../protocol/desktop/browser-launch.js'
import type { OpenUrl } from './web-prompter.js'

export { defaultBrowserCommand as browserCommand } from '../../protocol/desktop/browser-launch.js'

/** How long a browser launcher may take to fail before we take its silence as success. */
const LAUNCH_GRACE_MS = 1500

/** Starts one launcher; resolves once it runs and did not fail at once. Injected in tests. */
export type Launch = (command: LaunchCommand) => Promise<void>

/**
 * The real OpenUrl for links that open in a tab: the default browser (admin pages, eHealth's SSO
 * page).
 */
export function openInBrowser(platform: string, launch: Launch = launchDetached(platform)): OpenUrl {
  return async (url) => launch(defaultBrowserCommand(platform, url))
}

/**
 * The OpenUrl of the prompts: a focused app window of Chromium, Chrome or Edge where one is
 * installed (`--app=URL`: a window of its own, so the sign-in is not a tab lost among others),
 * else — or when it fails to start — the default browser. Rejects only when nothing could be
 * started, so the terminal can ask instead.
 */
export function openInAppWindow(search: BrowserSearch, launch: Launch = launchDetached(search.platform)): OpenUrl {
  return async (url) => {
    const failures: string[] = []
    for (const command of promptLaunchCommands(url, search)) {
      try {
        await launch(command)
        return
      } catch (err) {
        failures.push((err as Error).message)
      }
    }
    throw new Error(failures.join('; '))
  }
}

/**
 * Start `command` detached. Resolves once the launcher runs and did not fail at once (xdg-open,
 * and a browser that opens its first window, may stay until the browser exits, so their exit is
 * not awaited); rejects when it cannot be started or exits with an error within a moment.
 */
export function launchDetached(platform: string, options: { env?: NodeJS.ProcessEnv; onSpawn?: (pid: number) => void } = {}): Launch {
  return (command) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(command.file, command.args, {
        ...(options.env ? { env: options.env } : {}),
        stdio: 'ignore',
        detached: platform !== 'win32',
        windowsHide: true,
        // cmd.exe must see `""` as the empty title, not Node's escaped quotes; the URL check
        // leaves nothing in the URL that cmd.exe would interpret (no spaces, &, |, ^, %, quotes).
        windowsVerbatimArguments: platform === 'win32' && command.file === 'cmd.exe',
      })
      if (child.pid !== undefined) options.onSpawn?.(child.pid)
      let settled = false
      const settle = (err?: Error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        child.unref()
        if (err) reject(err)
        else resolve()
      }
      const timer = setTimeout(() => settle(), LAUNCH_GRACE_MS)
      child.once('error', (err) => settle(new Error(`${command.file} could not be started (${(err as NodeJS.ErrnoException).code ?? err.message})`)))
      child.once('exit', (code) => settle(code === 0 ? undefined : new Error(`${command.file} exited with code ${String(code)}`)))
    })
}
