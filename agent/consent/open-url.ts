import { spawn } from 'node:child_process'
import type { OpenUrl } from './web-prompter.js'

/** How long a browser launcher may take to fail before we take its silence as success. */
const LAUNCH_GRACE_MS = 1500

/**
 * Only our own pages and eHealth's: `http(s)://` with a plain host and a path, query and fragment
 * of URL-safe characters. Nothing a shell (or `cmd.exe`'s `start`) would read as syntax can pass.
 */
const SAFE_URL = /^https?:\/\/[A-Za-z0-9.[\]:-]+(\/[A-Za-z0-9._~\/?=:@+-]*)?$/

/**
 * The command that opens `url` in the default browser: `xdg-open` on Linux and the BSDs, `open`
 * on macOS, `start` (a `cmd.exe` built-in) on Windows.
 *
 * @example
 * ```ts
 * browserCommand('linux', 'http://127.0.0.1:4752/ui/open?t=x') // { file: 'xdg-open', args: ['http://…'] }
 * ```
 */
export function browserCommand(platform: string, url: string): { file: string; args: string[] } {
  if (!SAFE_URL.test(url)) throw new Error('refusing to open an unexpected URL')
  if (platform === 'darwin') return { file: 'open', args: [url] }
  // `start`'s first quoted argument is a window title, hence the empty one.
  if (platform === 'win32') return { file: 'cmd.exe', args: ['/d', '/s', '/c', 'start', '""', url] }
  return { file: 'xdg-open', args: [url] }
}

/**
 * The real OpenUrl. Resolves once the launcher runs and did not fail at once (xdg-open may stay
 * until the browser exits, so its exit is not awaited); rejects when it cannot be started or
 * exits with an error within a moment, so the terminal can ask instead.
 */
export function openInBrowser(platform: string): OpenUrl {
  return (url) =>
    new Promise<void>((resolve, reject) => {
      let command: { file: string; args: string[] }
      try {
        command = browserCommand(platform, url)
      } catch (err) {
        reject(err)
        return
      }
      const child = spawn(command.file, command.args, {
        stdio: 'ignore',
        detached: platform !== 'win32',
        windowsHide: true,
        // cmd.exe must see `""` as the empty title, not Node's escaped quotes; SAFE_URL leaves
        // nothing in the URL that cmd.exe would interpret (no spaces, &, |, ^, %, quotes).
        windowsVerbatimArguments: platform === 'win32',
      })
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
