import { spawn } from 'node:child_process'
import { selectPlatform } from '../../platform/select-platform.js'

/** How a process is started; injected so the choice of command can be tested without a desktop. */
export type Spawner = (command: string, args: readonly string[]) => { unref(): void; once(event: 'error', listener: (err: Error) => void): unknown }

const defaultSpawn: Spawner = (command, args) => spawn(command, [...args], { detached: true, stdio: 'ignore', shell: false })

/**
 * The `openUrl` of the daemon: open an https (or loopback http) URL in the user's default browser
 * (RFC 8252 §6: the system browser, never an embedded view). The URL is passed as one argument,
 * without a shell, so nothing in it is interpreted: `xdg-open` (Linux, BSD), `open` (macOS),
 * `rundll32 url.dll,FileProtocolHandler` (Windows; `cmd /c start` would re-parse `&`).
 */
export function openSystemBrowser(platform: NodeJS.Platform = process.platform, run: Spawner = defaultSpawn): (url: string) => Promise<void> {
  return (url) =>
    new Promise<void>((resolve, reject) => {
      const parsed = new URL(url)
      if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && (parsed.hostname === '127.0.0.1' || parsed.hostname === '[::1]' || parsed.hostname === 'localhost'))) {
        reject(new Error('only https URLs (or http on loopback) are opened'))
        return
      }
      const { file, args } = selectPlatform(platform).openUrlCommand(parsed.href)
      const child = run(file, args)
      let failed = false
      child.once('error', (err) => {
        failed = true
        reject(err)
      })
      // Spawn errors (command missing) arrive on the next tick; after that the browser is the user's.
      setImmediate(() => {
        if (failed) return
        child.unref()
        resolve()
      })
    })
}
