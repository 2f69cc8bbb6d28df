import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { choosePrompter } from './choose-prompter.js'
import { FallbackPrompter } from './fallback-prompter.js'
import { TerminalPrompter } from './terminal-prompter.js'
import { WebPrompter } from './web-prompter.js'

const terminal = { input: new PassThrough(), output: new PassThrough() }
const openUrl = async () => undefined

describe('choosePrompter', () => {
  it('a desktop: the browser pages (falling back to the terminal) and a tray', () => {
    const choice = choosePrompter({ facts: { platform: 'linux', display: true, sessionBus: true, locale: 'nl_BE.UTF-8' }, terminal, openUrl })
    expect(choice.prompter).toBeInstanceOf(FallbackPrompter)
    expect(choice.desktop.webPrompter).toBeInstanceOf(WebPrompter)
    expect(choice.desktop).toMatchObject({ locale: 'nl_BE.UTF-8', tray: { enabled: true } })
    expect(choice.desktop.openUrl).toBe(openUrl)
  })

  it('a display without a session bus: the pages, no tray, and why', () => {
    const choice = choosePrompter({ facts: { platform: 'linux', display: true, sessionBus: false, locale: undefined }, terminal, openUrl })
    expect(choice.desktop.webPrompter).toBeInstanceOf(WebPrompter)
    expect(choice.desktop.tray).toEqual({ enabled: false, reason: 'no D-Bus session bus, so no tray host could show it; sign-in prompts open in the browser' })
  })

  it('no display (SSH, a server): the terminal only', () => {
    const choice = choosePrompter({ facts: { platform: 'linux', display: false, sessionBus: false, locale: 'fr_BE.UTF-8' }, terminal, openUrl })
    expect(choice.prompter).toBeInstanceOf(TerminalPrompter)
    expect(choice.desktop.webPrompter).toBeUndefined()
    expect(choice.desktop.tray.enabled).toBe(false)
    expect(choice.summary).toMatch(/terminal/)
  })
})
