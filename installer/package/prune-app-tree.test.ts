import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { pruneAppTree } from './prune-app-tree.js'

const traybin = join(dirname(createRequire(import.meta.url).resolve('systray2/package.json')), 'traybin')
const scratch = mkdtempSync(join(tmpdir(), 'prune-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A tree as npm ci leaves it: systray2's three helpers, a node-gyp build, dot-files, .bin shims. */
function makeTree(name: string): string {
  const root = join(scratch, name)
  const mod = (...p: string[]) => join(root, 'node_modules', ...p)
  mkdirSync(mod('systray2', 'traybin'), { recursive: true })
  for (const f of ['tray_linux_release', 'tray_windows_release.exe', 'tray_darwin_release']) copyFileSync(join(traybin, f), mod('systray2', 'traybin', f))
  writeFileSync(mod('systray2', 'index.js'), 'module.exports = {}\n')
  mkdirSync(mod('addon', 'build', 'Release', 'obj.target'), { recursive: true })
  writeFileSync(mod('addon', 'build', 'config.gypi'), '{}')
  writeFileSync(mod('addon', 'build', 'Makefile'), 'all:\n')
  copyFileSync(join(traybin, 'tray_linux_release'), mod('addon', 'build', 'Release', 'addon.node'))
  writeFileSync(mod('addon', 'build', 'Release', 'obj.target', 'addon.o'), 'object')
  writeFileSync(mod('addon', 'build', 'Release', '.deps'), '')
  writeFileSync(mod('addon', '.eslintrc.json'), '{}')
  writeFileSync(mod('.package-lock.json'), '{}')
  mkdirSync(mod('.bin'))
  symlinkSync('../systray2/index.js', mod('.bin', 'tray'))
  // A package's own folder named build, without node-gyp's config.gypi, is code: it stays.
  mkdirSync(mod('lib', 'build'), { recursive: true })
  writeFileSync(mod('lib', 'build', 'index.js'), 'module.exports = 1\n')
  // The agent's own addon, as npm run build leaves it on Linux.
  mkdirSync(join(root, 'dist', 'native'), { recursive: true })
  copyFileSync(join(traybin, 'tray_linux_release'), join(root, 'dist', 'native', 'malloc-trim.node'))
  return root
}

describe('pruneAppTree', () => {
  it('for Linux keeps the ELF helper and the built addon, drops the other OSes\' executables and the build leftovers', () => {
    const root = makeTree('linux')
    const report = pruneAppTree(root, 'linux')
    const at = (p: string) => existsSync(join(root, 'node_modules', p))
    expect(at('systray2/traybin/tray_linux_release')).toBe(true)
    expect(at('systray2/traybin/tray_windows_release.exe')).toBe(false)
    expect(at('systray2/traybin/tray_darwin_release')).toBe(false)
    expect(at('addon/build/Release/addon.node')).toBe(true)
    expect(existsSync(join(root, 'dist', 'native', 'malloc-trim.node'))).toBe(true)
    for (const gone of ['addon/build/config.gypi', 'addon/build/Makefile', 'addon/build/Release/obj.target', 'addon/build/Release/.deps', 'addon/.eslintrc.json', '.package-lock.json', '.bin']) {
      expect(at(gone), gone).toBe(false)
    }
    expect(at('lib/build/index.js')).toBe(true)
    expect(at('systray2/index.js')).toBe(true)
    expect(report.removed).toContain('node_modules/systray2/traybin/tray_darwin_release')
    expect(report.bytes).toBeGreaterThan(100_000)
  })

  it('for Windows keeps only the PE helper: a Linux-built addon cannot load there', () => {
    const root = makeTree('win32')
    pruneAppTree(root, 'win32')
    const at = (p: string) => existsSync(join(root, 'node_modules', p))
    expect(at('systray2/traybin/tray_windows_release.exe')).toBe(true)
    expect(at('systray2/traybin/tray_linux_release')).toBe(false)
    expect(at('systray2/traybin/tray_darwin_release')).toBe(false)
    expect(at('addon/build/Release/addon.node')).toBe(false)
    expect(existsSync(join(root, 'dist', 'native'))).toBe(false)
  })
})
