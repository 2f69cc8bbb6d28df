import { spawnSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { expectAddonBuiltAndFound } from '../../test/helpers/native-addon-found.js'
import { findMallocTrimAddon, loadMallocTrim, loadMallocTrimAt } from './malloc-trim.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const BUILT = join(ROOT, 'dist', 'native', 'malloc-trim.node')

/**
 * A process that leaves malloc's heap as a burst of requests does: 4,000 buffers of 16 KB
 * (malloc'd, below glibc's mmap threshold), one more kept after them, then all but that one freed.
 * glibc returns only the free space at the top of the heap, which the kept buffer blocks; what
 * malloc_trim(0) gives back is measured in the process's own anonymous RSS.
 */
const FRAGMENT = `
const addon = process.argv[1] ? require(process.argv[1]) : undefined
const anonMb = () => Number(/RssAnon:\\s+(\\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
;(async () => {
  let burst = []
  for (let i = 0; i < 4000; i++) burst.push(Buffer.allocUnsafeSlow(16 * 1024).fill(1))
  const kept = Buffer.allocUnsafeSlow(16 * 1024).fill(2)
  burst = undefined
  // Backing stores are freed by V8's sweeper, possibly on another thread: collect, then wait.
  for (let i = 0; i < 3; i++) { global.gc(); await sleep(100) }
  const freed = anonMb()
  const released = addon ? addon.trim() : null
  process.stdout.write(JSON.stringify({ freed, released, after: anonMb(), kept: kept[0] }))
})()
`

function runFragment(addonPath: string | undefined): { freed: number; released: boolean | null; after: number } {
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', FRAGMENT, addonPath ?? ''], { encoding: 'utf8' })
  expect(run.stderr).toBe('')
  return JSON.parse(run.stdout) as { freed: number; released: boolean | null; after: number }
}

describe('malloc_trim addon (agent/memory/native/malloc-trim.c)', () => {
  it('is built by npm run build and found from the sources, tsc output and the bundle alike', () => {
    expectAddonBuiltAndFound(findMallocTrimAddon, 'malloc-trim.node', ['agent', 'memory'])
    expect(typeof loadMallocTrim()).toBe('function')
  })

  it('gives the free pages inside the heap back: RSS drops by what the burst freed, which glibc alone keeps', () => {
    // Without the addon the freed burst stays resident: the situation the agent is in after a load.
    const without = runFragment(undefined)
    expect(without.after).toBeGreaterThan(50)
    const withTrim = runFragment(BUILT)
    expect(withTrim.freed).toBeGreaterThan(50)
    expect(withTrim.released).toBe(true)
    expect(withTrim.freed - withTrim.after).toBeGreaterThan(40)
  })

  it('is undefined, not an error, where the addon cannot be loaded', () => {
    expect(loadMallocTrimAt(undefined)).toBeUndefined()
    expect(loadMallocTrimAt(join(ROOT, 'package.json'))).toBeUndefined()
    expect(loadMallocTrimAt(join(ROOT, 'dist', 'native', 'no-such.node'))).toBeUndefined()
    expect(findMallocTrimAddon('/')).toBeUndefined()
  })
})
