import { describe, expect, it } from 'vitest'
import { listPkcs11ModuleCandidates } from '../keys/find-pkcs11-module.js'
import { openSystemBrowser, type Spawner } from '../session/iam-connect/open-system-browser.js'
import { darwinPlatform } from './darwin.js'
import { linuxPlatform } from './linux.js'
import { PLATFORM_IDS } from './platform.js'
import { selectPlatform } from './select-platform.js'
import { win32Platform } from './win32.js'

describe('one platform object per OS, chosen by process.platform', () => {
  it('chooses each by its id; other Unix systems get Linux choices', () => {
    expect(PLATFORM_IDS.map((id) => selectPlatform(id).id)).toEqual(['linux', 'darwin', 'win32'])
    expect(selectPlatform('freebsd')).toBe(linuxPlatform)
  })

  it('puts the admin policy where each OS keeps machine-wide settings', () => {
    expect(linuxPlatform.policy).toEqual({ kind: 'file', path: '/etc/ehealth-agent/policy.json' })
    expect(darwinPlatform.policy).toEqual({ kind: 'file', path: '/Library/Application Support/ehealth-agent/policy.json' })
    expect(win32Platform.policy).toEqual({
      kind: 'registry',
      key: 'HKLM\\SOFTWARE\\Policies\\ehealth-agent',
      command: { file: 'reg.exe', args: ['query', 'HKLM\\SOFTWARE\\Policies\\ehealth-agent', '/s'] },
    })
  })

  it('lists the eID module where eid-mw installs it, and the PKCS#11 search uses these lists', () => {
    expect(linuxPlatform.pkcs11Modules[0]).toBe('/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0')
    expect(darwinPlatform.pkcs11Modules[0]).toMatch(/beid-pkcs11\.bundle\/Contents\/MacOS\/libbeidpkcs11\.dylib$/)
    expect(win32Platform.pkcs11Modules).toEqual(['C:\\Windows\\System32\\beidpkcs11.dll'])
    for (const p of [linuxPlatform, darwinPlatform, win32Platform]) expect(listPkcs11ModuleCandidates(p.id)).toEqual(p.pkcs11Modules)
    expect(listPkcs11ModuleCandidates('aix')).toEqual([])
  })

  it('builds the browser-opening command with the URL as one argument, and the opener runs it', async () => {
    const url = 'https://idp.example/a?b=1&c=2'
    expect(linuxPlatform.openUrlCommand(url)).toEqual({ file: 'xdg-open', args: [url] })
    expect(darwinPlatform.openUrlCommand(url)).toEqual({ file: 'open', args: [url] })
    expect(win32Platform.openUrlCommand(url)).toEqual({ file: 'rundll32', args: ['url.dll,FileProtocolHandler', url] })
    const ran: [string, readonly string[]][] = []
    const spawner: Spawner = (command, args) => {
      ran.push([command, args])
      return { unref: () => undefined, once: () => undefined }
    }
    await openSystemBrowser('win32', spawner)(url)
    expect(ran).toEqual([['rundll32', ['url.dll,FileProtocolHandler', url]]])
  })

  it('names the service kind, the tray helper and the process lookup per OS', () => {
    expect([linuxPlatform, darwinPlatform, win32Platform].map((p) => [p.serviceKind, p.trayHelper, p.processLookup])).toEqual([
      ['systemd-user-unit', 'tray_linux_release', 'proc-and-ss'],
      ['launchd-agent', 'tray_darwin_release', 'lsof-and-ps'],
      ['scheduled-task', 'tray_windows_release.exe', 'netstat-and-cim'],
    ])
  })
})
