import { describe, expect, it } from 'vitest'
import { renderWindowsRegistry } from '../render-windows-registry.js'
import { renderNativeHostRegistry } from '../render-native-host-registry.js'
import { treeInstallContext } from './app-tree-layout.js'
import { listMsiCommands, listMsiRegistryValues } from './msi-entries.js'

/** The (key, value name) pairs of a .reg file, `@` for the default value. */
function readRegNames(text: string): string[] {
  const out: string[] = []
  let key = ''
  for (const line of text.split('\r\n')) {
    const k = /^\[(.*)\]$/.exec(line)
    if (k) key = k[1]!.replace(/^HKEY_CURRENT_USER\\/, '')
    const v = /^(@|"([^"]*)")=/.exec(line)
    if (v) out.push(`${key}|${v[2] ?? '@'}`)
  }
  return out.sort()
}

describe('the MSI\'s registry values', () => {
  it('are the keys `ehagent install` writes on Windows, per user', () => {
    const ctx = treeInstallContext('win32', 'C:\\Users\\jan\\AppData\\Local\\Programs\\ehealth-agent')
    const expected = [...readRegNames(renderWindowsRegistry(ctx)), ...readRegNames(renderNativeHostRegistry('C:\\x.json'))].sort()
    const msi = listMsiRegistryValues()
      .map((r) => `${r.key}|${r.name ?? '@'}`)
      .sort()
    expect(msi).toEqual(expected)
  })

  it('open a token with the installed runtime and entry point, every path quoted (a profile path may hold blanks)', () => {
    const open = listMsiRegistryValues().find((r) => r.key.endsWith('\\shell\\open\\command'))!
    expect(open.value).toBe('"[INSTALLDIR]runtime\\node.exe" "[INSTALLDIR]bin\\ehagent.js" import-token "%1"')
    const hosts = listMsiRegistryValues().filter((r) => r.key.includes('NativeMessagingHosts'))
    expect(hosts.map((h) => h.value)).toEqual(['[INSTALLDIR]be.ehealth_agent.host.json', '[INSTALLDIR]be.ehealth_agent.host.json'])
  })

  it('run `ehagent install` from the Start menu and after installing, `ehagent uninstall` before removing', () => {
    const c = listMsiCommands()
    expect(c.shortcut).toMatchObject({ target: '[INSTALLDIR]runtime\\node.exe', args: '"[INSTALLDIR]bin\\ehagent.js" install' })
    expect(c.afterInstall).toEqual({ program: '[INSTALLDIR]runtime\\node.exe', args: '"[INSTALLDIR]bin\\ehagent.js" install' })
    expect(c.beforeUninstall).toEqual({ program: '[INSTALLDIR]runtime\\node.exe', args: '"[INSTALLDIR]bin\\ehagent.js" uninstall' })
  })
})
