import { describe, expect, it } from 'vitest'
import { defaultBrowserCommand, findAppWindowBrowser, promptLaunchCommands, type BrowserSearch } from './browser-launch.js'

const LINK = 'http://127.0.0.1:4752/ui/open?t=PhLQjeuBFxsPynkFTsBOTBlOfFq83ze-mSbn4zfVv98'

/** A machine where exactly `files` exist. */
const machine = (platform: string, files: string[], extra: Partial<BrowserSearch> = {}): BrowserSearch => ({ platform, exists: (f) => files.includes(f), ...extra })

describe('the prompt opens as an app window of a Chromium-family browser where one is installed', () => {
  it('Linux: the first of chromium, google-chrome, microsoft-edge found on PATH, then xdg-open', () => {
    const path = '/usr/local/bin:/usr/bin:/snap/bin'
    expect(promptLaunchCommands(LINK, machine('linux', ['/usr/bin/google-chrome', '/snap/bin/chromium'], { path }))).toEqual([
      { file: '/snap/bin/chromium', args: [`--app=${LINK}`] },
      { file: 'xdg-open', args: [LINK] },
    ])
    expect(findAppWindowBrowser(machine('linux', ['/usr/bin/microsoft-edge-stable'], { path }))).toBe('/usr/bin/microsoft-edge-stable')
    // Relative PATH entries are not searched (a browser named by the working directory is no browser).
    expect(findAppWindowBrowser(machine('linux', ['bin/chromium'], { path: 'bin:/usr/bin' }))).toBeUndefined()
    expect(findAppWindowBrowser(machine('freebsd', ['/usr/local/bin/chromium'], { path: '/usr/local/bin' }))).toBe('/usr/local/bin/chromium')
  })

  it('macOS: Chrome, Chromium or Edge in /Applications or ~/Applications, run directly (open(1) would drop --app for a running browser)', () => {
    expect(promptLaunchCommands(LINK, machine('darwin', ['/Users/an/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge'], { home: '/Users/an' }))).toEqual([
      { file: '/Users/an/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge', args: [`--app=${LINK}`] },
      { file: 'open', args: [LINK] },
    ])
    expect(findAppWindowBrowser(machine('darwin', ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium']))).toBe(
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    )
  })

  it('Windows: Chrome (machine-wide or per user), else Edge, which every Windows 10 and 11 has; then start', () => {
    const dirs = { programFiles: 'C:\\Program Files', programFilesX86: 'C:\\Program Files (x86)', localAppData: 'C:\\Users\\an\\AppData\\Local' }
    expect(promptLaunchCommands(LINK, machine('win32', ['C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'], dirs))).toEqual([
      { file: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe', args: [`--app=${LINK}`] },
      { file: 'cmd.exe', args: ['/d', '/s', '/c', 'start', '""', LINK] },
    ])
    expect(findAppWindowBrowser(machine('win32', ['C:\\Users\\an\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'], dirs))).toBe(
      'C:\\Users\\an\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
    )
  })

  it('no such browser: the default browser only', () => {
    expect(promptLaunchCommands(LINK, machine('linux', [], { path: '/usr/bin' }))).toEqual([{ file: 'xdg-open', args: [LINK] }])
    expect(promptLaunchCommands(LINK, machine('darwin', []))).toEqual([{ file: 'open', args: [LINK] }])
  })

  it('refuses anything a shell or cmd.exe could read as more than a URL, in either form', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'http://a.be/x&calc', 'http://a.be/"x', 'http://a.be/%PATH%', 'http://a.be/x y', '-x http://a.be/', 'http://a.be/^x']) {
      expect(() => promptLaunchCommands(url, machine('linux', ['/usr/bin/chromium'], { path: '/usr/bin' })), url).toThrow(/unexpected URL/)
      expect(() => defaultBrowserCommand('win32', url), url).toThrow(/unexpected URL/)
    }
  })
})
