import { spawn } from 'node:child_process'
import { defaultBrowserCommand } from '../../protocol/desktop/browser-launch.js'

/** How long the launcher may take to fail before its silence counts as success. */
const LAUNCH_GRACE_MS = 1500

/**
 * Open `url` in the user's default browser (xdg-open, open, start), detached: resolves once the
 * launcher runs and did not fail at once; rejects with why when it could not.
 */
export function openInDefaultBrowser(platform: string, url: string): Promise<void> {
  const command = defaultBrowserCommand(platform, url)
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command.file, command.args, {
      stdio: 'ignore',
      detached: platform !== 'win32',
      windowsHide: true,
      // cmd.exe's `start` must see `""` as the empty title; the URL holds nothing it interprets.
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
