import { describe, expect, it } from 'vitest'
import { browserCommand } from './open-url.js'

const LINK = 'http://127.0.0.1:4752/ui/open?t=PhLQjeuBFxsPynkFTsBOTBlOfFq83ze-mSbn4zfVv98'

describe('browserCommand', () => {
  it('xdg-open, open, start', () => {
    expect(browserCommand('linux', LINK)).toEqual({ file: 'xdg-open', args: [LINK] })
    expect(browserCommand('freebsd', LINK)).toEqual({ file: 'xdg-open', args: [LINK] })
    expect(browserCommand('darwin', LINK)).toEqual({ file: 'open', args: [LINK] })
    expect(browserCommand('win32', LINK)).toEqual({ file: 'cmd.exe', args: ['/d', '/s', '/c', 'start', '""', LINK] })
    expect(browserCommand('linux', 'https://www.ehealth.fgov.be/idp/Token/SSO').args).toEqual(['https://www.ehealth.fgov.be/idp/Token/SSO'])
  })

  it('refuses anything a shell or cmd.exe could read as more than a URL', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'http://a.be/x&calc', 'http://a.be/"x', 'http://a.be/%PATH%', 'http://a.be/x y', 'http://a.be/x|y', '-x http://a.be/', 'http://a.be/^x']) {
      expect(() => browserCommand('win32', url), url).toThrow(/unexpected URL/)
    }
  })
})

describe('openInAppWindow', () => {
  const search = { platform: 'linux', path: '/usr/bin', exists: (f: string) => f === '/usr/bin/chromium' }

  it('starts the app window; the default browser only when that fails to start', async () => {
    const { openInAppWindow } = await import('./open-url.js')
    const started: string[] = []
    await openInAppWindow(search, async (c) => void started.push([c.file, ...c.args].join(' ')))(LINK)
    expect(started).toEqual([`/usr/bin/chromium --app=${LINK}`])
    const tried: string[] = []
    await openInAppWindow(search, async (c) => {
      tried.push(c.file)
      if (c.file !== 'xdg-open') throw new Error('/usr/bin/chromium exited with code 1')
    })(LINK)
    expect(tried).toEqual(['/usr/bin/chromium', 'xdg-open'])
  })

  it('rejects, naming each failure, when nothing starts (so the terminal can ask)', async () => {
    const { openInAppWindow } = await import('./open-url.js')
    await expect(openInAppWindow(search, async (c) => Promise.reject(new Error(`${c.file} could not be started (ENOENT)`)))(LINK)).rejects.toThrow(
      '/usr/bin/chromium could not be started (ENOENT); xdg-open could not be started (ENOENT)',
    )
  })
})
