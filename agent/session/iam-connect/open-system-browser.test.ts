import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { openSystemBrowser, type Spawner } from './open-system-browser.js'

function recordingSpawner(fail?: Error): { run: Spawner; calls: [string, readonly string[]][] } {
  const calls: [string, readonly string[]][] = []
  const run: Spawner = (command, args) => {
    calls.push([command, args])
    const child = Object.assign(new EventEmitter(), { unref: () => undefined })
    if (fail) process.nextTick(() => child.emit('error', fail))
    return child
  }
  return { run, calls }
}

describe('openSystemBrowser', () => {
  const url = 'https://api-acpt.ehealth.fgov.be/auth/realms/healthcare/protocol/openid-connect/auth?a=1&b=2'

  it('passes the URL as one argument, without a shell, to the platform opener', async () => {
    for (const [platform, command, args] of [
      ['linux', 'xdg-open', [url]],
      ['darwin', 'open', [url]],
      ['win32', 'rundll32', ['url.dll,FileProtocolHandler', url]],
    ] as const) {
      const { run, calls } = recordingSpawner()
      await openSystemBrowser(platform, run)(url)
      expect(calls).toEqual([[command, args]])
    }
  })

  it('refuses other schemes and reports an opener that cannot start', async () => {
    const { run, calls } = recordingSpawner()
    await expect(openSystemBrowser('linux', run)('file:///etc/passwd')).rejects.toThrow(/only https/)
    await expect(openSystemBrowser('linux', run)('http://evil.example/')).rejects.toThrow(/only https/)
    expect(calls).toEqual([])
    await expect(openSystemBrowser('linux', recordingSpawner(new Error('spawn xdg-open ENOENT')).run)(url)).rejects.toThrow(/ENOENT/)
  })
})
