import { describe, expect, it } from 'vitest'
import { readHostArguments } from './read-host-arguments.js'

const origin = 'chrome-extension://genikcfmigceelnkkckhdkieobalmnob/'

describe('readHostArguments', () => {
  it('takes the extension id from the origin Chrome passes (Linux, macOS)', () => {
    expect(readHostArguments([origin])).toEqual({ extensionId: 'genikcfmigceelnkkckhdkieobalmnob' })
  })

  it('takes --state-dir from the wrapper, and ignores the parent window Chrome adds on Windows', () => {
    expect(readHostArguments(['--state-dir', '/srv/eha', origin, '--parent-window=0'])).toEqual({ extensionId: 'genikcfmigceelnkkckhdkieobalmnob', stateDir: '/srv/eha' })
    expect(readHostArguments(['--state-dir=C:\\eha', origin])).toMatchObject({ stateDir: 'C:\\eha' })
  })

  it('refuses a start without an extension origin, a malformed id, or anything else', () => {
    expect(() => readHostArguments([])).toThrow(/started by Chrome/)
    expect(() => readHostArguments(['chrome-extension://ZZZ/'])).toThrow(/unexpected argument/)
    expect(() => readHostArguments([origin, '--verbose'])).toThrow(/unexpected argument "--verbose"/)
    expect(() => readHostArguments(['--state-dir=', origin])).toThrow(/needs a directory/)
  })
})
