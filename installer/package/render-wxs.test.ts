import { DOMParser } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import { renderWxs, SEQUENCE, type WxsInput } from './render-wxs.js'

const WIX = 'http://schemas.microsoft.com/wix/2006/wi'

const input: WxsInput = {
  name: 'ehealth-agent',
  manufacturer: 'Praxis & Co <it@example.be>',
  version: '1.2.3',
  upgradeCode: '3B8D48D6-12FD-478F-8078-33671E4D07CD',
  productCode: '0A0A0A0A-0000-5000-8000-000000000001',
  description: 'an "agent"',
  files: [
    { path: 'runtime/node.exe', source: 'tree/runtime/node.exe' },
    { path: 'bin/ehagent.js', source: 'tree/bin/ehagent.js' },
    { path: 'node_modules/a&b/index.js', source: 'tree/node_modules/a&b/index.js' },
    { path: 'ehagent.cmd', source: 'tree/ehagent.cmd' },
  ],
  shortcut: { name: 'ehealth-agent', description: 'Start', target: '[INSTALLDIR]runtime\\node.exe', args: '"[INSTALLDIR]bin\\ehagent.js" install' },
  registry: [{ key: 'Software\\Classes\\.ehtoken', name: 'Content Type', value: 'application/x' }],
  afterInstall: { program: '[INSTALLDIR]runtime\\node.exe', args: '"[INSTALLDIR]bin\\ehagent.js" install' },
  beforeUninstall: { program: '[INSTALLDIR]runtime\\node.exe', args: '"[INSTALLDIR]bin\\ehagent.js" uninstall' },
}

function parse(text: string) {
  const doc = new DOMParser().parseFromString(text, 'text/xml')
  const all = (name: string) => Array.from(doc.getElementsByTagNameNS(WIX, name)) as Element[]
  return { doc, all }
}

describe('renderWxs', () => {
  it('is well-formed WiX with one component per file, in a folder per path segment, each file once and escaped', () => {
    const { all } = parse(renderWxs(input))
    const files = all('File')
    expect(files.map((f) => f.getAttribute('Source')).sort()).toEqual(input.files.map((f) => f.source).sort())
    const named = files.find((f) => f.getAttribute('Source') === 'tree/node_modules/a&b/index.js')!
    expect((named.parentNode!.parentNode as Element).getAttribute('Name')).toBe('a&b')
    const ids = [...all('File'), ...all('Component'), ...all('Directory')].map((e) => e.getAttribute('Id')!)
    expect(new Set(ids).size).toBe(ids.length)
    // MSI identifiers: a letter or underscore, then letters, digits, underscores, dots; at most 72.
    for (const id of ids) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_.]{0,71}$/)
    const featured = all('ComponentRef').map((r) => r.getAttribute('Id'))
    expect(featured.sort()).toEqual(all('Component').map((c) => c.getAttribute('Id')).sort())
  })

  it('installs per user under LocalAppDataFolder\\Programs with HKCU values and a Start-menu folder removed on uninstall', () => {
    const { all } = parse(renderWxs(input))
    expect(all('Package')[0]!.getAttribute('InstallScope')).toBe('perUser')
    const installDir = all('Directory').find((d) => d.getAttribute('Id') === 'INSTALLDIR')!
    expect((installDir.parentNode as Element).getAttribute('Name')).toBe('Programs')
    expect(((installDir.parentNode as Element).parentNode as Element).getAttribute('Id')).toBe('LocalAppDataFolder')
    expect(all('RegistryValue').every((r) => r.getAttribute('Root') === 'HKCU')).toBe(true)
    expect(all('RemoveFolder').map((r) => r.getAttribute('On'))).toEqual(['uninstall', 'uninstall'])
    expect(all('Product')[0]!.getAttribute('Manufacturer')).toBe('Praxis & Co <it@example.be>')
  })

  it('sets each program before running it, uninstalls before RemoveFiles and installs after InstallFinalize', () => {
    const { all } = parse(renderWxs(input))
    const seq = Object.fromEntries(all('Custom').map((c) => [c.getAttribute('Action'), Number(c.getAttribute('Sequence'))]))
    expect(seq.SetAfterInstallProgram).toBeLessThan(seq.RunAfterInstall!)
    expect(seq.SetBeforeUninstallProgram).toBeLessThan(seq.RunBeforeUninstall!)
    expect(seq.RunBeforeUninstall).toBeLessThan(3500) // RemoveFiles
    expect(seq.RunAfterInstall).toBeGreaterThan(6600) // InstallFinalize
    expect(seq).toEqual({ SetAfterInstallProgram: SEQUENCE.setAfterInstall, SetBeforeUninstallProgram: SEQUENCE.setBeforeUninstall, RunBeforeUninstall: SEQUENCE.runBeforeUninstall, RunAfterInstall: SEQUENCE.runAfterInstall })
    for (const action of all('CustomAction')) expect(action.getAttribute('Impersonate')).toBe('yes')
  })

  it('refuses a path that climbs out of the tree', () => {
    expect(() => renderWxs({ ...input, files: [{ path: '../evil.exe', source: 'x' }] })).toThrow(/not a relative path/)
  })
})
