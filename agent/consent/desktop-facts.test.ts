import { describe, expect, it } from 'vitest'
import { readDesktopFacts } from './desktop-facts.js'

const none = () => false

describe('readDesktopFacts', () => {
  it('Linux: a display from DISPLAY or WAYLAND_DISPLAY; a bus from its address or its default socket', () => {
    expect(readDesktopFacts({}, 'linux', none)).toEqual({ platform: 'linux', display: false, sessionBus: false, locale: undefined })
    expect(readDesktopFacts({ WAYLAND_DISPLAY: 'wayland-0', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }, 'linux', none)).toMatchObject({ display: true, sessionBus: true })
    expect(readDesktopFacts({ DISPLAY: ':0', XDG_RUNTIME_DIR: '/run/user/1000' }, 'linux', (p) => p === '/run/user/1000/bus')).toMatchObject({ display: true, sessionBus: true })
  })

  it('Windows and macOS always have a desktop and a tray', () => {
    expect(readDesktopFacts({}, 'win32', none)).toMatchObject({ display: true, sessionBus: true })
    expect(readDesktopFacts({}, 'darwin', none)).toMatchObject({ display: true, sessionBus: true })
  })

  it('the locale: LC_ALL, LC_MESSAGES, LANG, with LANGUAGE first; C means untranslated; else the OS\'s', () => {
    expect(readDesktopFacts({ LANG: 'nl_BE.UTF-8' }, 'linux', none).locale).toBe('nl_BE.UTF-8')
    expect(readDesktopFacts({ LANG: 'nl_BE.UTF-8', LC_MESSAGES: 'fr_BE.UTF-8' }, 'linux', none).locale).toBe('fr_BE.UTF-8')
    expect(readDesktopFacts({ LANG: 'nl_BE.UTF-8', LC_ALL: 'en_GB.UTF-8' }, 'linux', none).locale).toBe('en_GB.UTF-8')
    expect(readDesktopFacts({ LANG: 'fr_BE.UTF-8', LANGUAGE: 'nl:en' }, 'linux', none).locale).toBe('nl:en:fr_BE.UTF-8')
    expect(readDesktopFacts({ LC_ALL: 'C', LANGUAGE: 'nl' }, 'linux', none).locale).toBeUndefined()
    expect(readDesktopFacts({}, 'win32', none, 'fr-BE').locale).toBe('fr-BE')
  })
})
