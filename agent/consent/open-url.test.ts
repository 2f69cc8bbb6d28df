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
