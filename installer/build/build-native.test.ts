import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NATIVE_ADDONS } from '../bundle-layout.js'
import { buildNativeAddon as buildOne, buildNativeAddons, nodeHeadersDir } from './build-native.js'

// The tests build malloc-trim as the example; the build is the same for every addon.
const NATIVE_ADDON = NATIVE_ADDONS.mallocTrim
const buildNativeAddon = (options: Omit<Parameters<typeof buildOne>[0], 'addon'>) => buildOne({ ...options, addon: NATIVE_ADDON })

const REPO_ROOT = resolve(import.meta.dirname, '..', '..')
const scratch = mkdtempSync(join(tmpdir(), 'build-native-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A package root of its own holding the addon's source (the repository's, or `source`). */
function packageRoot(name: string, source?: string): string {
  const root = join(scratch, name)
  const file = join(root, ...NATIVE_ADDON.source)
  mkdirSync(dirname(file), { recursive: true })
  if (source === undefined) copyFileSync(join(REPO_ROOT, ...NATIVE_ADDON.source), file)
  else writeFileSync(file, source)
  return root
}

describe('buildNativeAddon', () => {
  it('finds the headers beside the running node, or where npm_config_nodedir says (as node-gyp does)', () => {
    expect(nodeHeadersDir({}, '/usr/bin/node')).toBe('/usr/include/node')
    expect(nodeHeadersDir({ npm_config_nodedir: '/opt/node-v20' }, '/usr/bin/node')).toBe('/opt/node-v20/include/node')
    expect(existsSync(join(nodeHeadersDir(), 'node_api.h'))).toBe(true)
  })

  it('compiles the addon into dist/native/ of the package it is given, and it loads', async () => {
    const root = packageRoot('ok')
    expect(buildNativeAddon({ repoRoot: root })).toEqual({ built: true, message: expect.stringContaining('dist/native/malloc-trim.node') })
    const built = join(root, ...NATIVE_ADDON.built)
    const addon = (await import('node:module')).createRequire(import.meta.url)(built) as { trim: () => boolean }
    expect(typeof addon.trim()).toBe('boolean')
  })

  it('builds nothing off Linux, and says what is missing instead of failing the whole build', () => {
    expect(buildNativeAddon({ repoRoot: packageRoot('win'), platform: 'win32' })).toEqual({ built: false, message: expect.stringContaining('win32') })
    const noCompiler = buildNativeAddon({ repoRoot: packageRoot('no-cc'), env: { ...process.env, CC: join(scratch, 'no-such-cc') } })
    expect(noCompiler).toEqual({ built: false, message: expect.stringMatching(/could not be run.*apt-get install gcc/) })
    const noHeaders = buildNativeAddon({ repoRoot: packageRoot('no-headers'), env: { ...process.env, npm_config_nodedir: join(scratch, 'nowhere') } })
    expect(noHeaders).toEqual({ built: false, message: expect.stringMatching(/no node_api\.h in .*nowhere.*npm_config_nodedir/) })
    for (const name of ['win', 'no-cc', 'no-headers']) expect(existsSync(join(scratch, name, ...NATIVE_ADDON.built)), name).toBe(false)
    // Built once, then the headers gone: the earlier build is not left looking current.
    const rebuilt = packageRoot('headers-gone')
    expect(buildNativeAddon({ repoRoot: rebuilt }).built).toBe(true)
    expect(buildNativeAddon({ repoRoot: rebuilt, env: { ...process.env, npm_config_nodedir: join(scratch, 'nowhere') } }).built).toBe(false)
    expect(existsSync(join(rebuilt, ...NATIVE_ADDON.built))).toBe(false)
  })

  it("passes on the compiler's own message when the source does not compile, and leaves no earlier build behind", () => {
    const root = packageRoot('bad')
    expect(buildNativeAddon({ repoRoot: root }).built).toBe(true)
    writeFileSync(join(root, ...NATIVE_ADDON.source), 'this is not C\n')
    const result = buildNativeAddon({ repoRoot: root })
    expect(result.built).toBe(false)
    expect(result.message).toMatch(/failed:[\s\S]*malloc-trim\.c/)
    expect(existsSync(join(root, ...NATIVE_ADDON.built))).toBe(false)
  })

  it('builds every addon of the package, each loading with its one function', async () => {
    const root = join(scratch, 'all')
    for (const addon of Object.values(NATIVE_ADDONS)) {
      mkdirSync(dirname(join(root, ...addon.source)), { recursive: true })
      copyFileSync(join(REPO_ROOT, ...addon.source), join(root, ...addon.source))
    }
    expect(buildNativeAddons({ repoRoot: root }).map((r) => r.built)).toEqual([true, true, true])
    const load = (await import('node:module')).createRequire(import.meta.url)
    expect(typeof (load(join(root, ...NATIVE_ADDONS.mallocTrim.built)) as { trim: unknown }).trim).toBe('function')
    expect(typeof (load(join(root, ...NATIVE_ADDONS.sockDiag.built)) as { lookup: unknown }).lookup).toBe('function')
    expect(typeof (load(join(root, ...NATIVE_ADDONS.threadPoolPriority.built)) as { lower: unknown }).lower).toBe('function')
  })

  it('takes CC as a command with arguments, as make does', () => {
    expect(buildNativeAddon({ repoRoot: packageRoot('cc-args'), env: { ...process.env, CC: 'cc -O1' } })).toMatchObject({ built: true })
  })
})
