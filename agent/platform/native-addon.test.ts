import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findNativeAddon, requireNativeAddon } from './native-addon.js'

const scratch = mkdtempSync(join(tmpdir(), 'native-addon-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('findNativeAddon: dist/native/ of this package, seen from any of its layouts', () => {
  for (const [depth, room] of [
    [2, ['agent', 'memory']],
    [3, ['agent', 'callers', 'linux']],
  ] as const) {
    it(`from a module ${depth} folders down (${room.join('/')}): found in the package, never in a folder above it`, () => {
      const top = join(scratch, `depth-${depth}`)
      const pkg = join(top, 'pkg')
      const layouts = [['dist', 'bundle'], ['dist', ...room], [...room]]
      for (const layout of layouts) mkdirSync(join(pkg, ...layout), { recursive: true })
      // Planted above the package: a clone in /tmp, or a package named `dist` beside this one.
      mkdirSync(join(top, 'dist', 'native'), { recursive: true })
      writeFileSync(join(top, 'dist', 'native', 'x.node'), 'planted')
      mkdirSync(join(top, 'native'), { recursive: true })
      writeFileSync(join(top, 'native', 'x.node'), 'planted')
      for (const layout of layouts) expect(findNativeAddon('x.node', join(pkg, ...layout), depth), layout.join('/')).toBeUndefined()
      // The package's own, once built, is found from each layout.
      mkdirSync(join(pkg, 'dist', 'native'))
      writeFileSync(join(pkg, 'dist', 'native', 'x.node'), 'built')
      for (const layout of layouts) expect(findNativeAddon('x.node', join(pkg, ...layout), depth), layout.join('/')).toBe(join(pkg, 'dist', 'native', 'x.node'))
    })
  }

  it('finds nothing from a folder of no layout, and loads nothing that is not an addon', () => {
    expect(findNativeAddon('x.node', '/', 2)).toBeUndefined()
    expect(requireNativeAddon(undefined)).toBeUndefined()
    expect(requireNativeAddon(join(scratch, 'no-such.node'))).toBeUndefined()
    writeFileSync(join(scratch, 'not-an-addon.node'), 'text')
    expect(requireNativeAddon(join(scratch, 'not-an-addon.node'))).toBeUndefined()
  })
})
