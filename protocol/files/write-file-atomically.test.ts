import * as fs from 'node:fs/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileAtomically, type AtomicWriteFileHandle, type AtomicWriteFileSystem } from './write-file-atomically.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'write-atomically-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const modeOf = async (path: string) => (await fs.stat(path)).mode & 0o777
const temps = async (dir: string) => (await fs.readdir(dir)).filter((name) => name.includes('.tmp-'))

describe('writeFileAtomically on real files', () => {
  it('creates the file 0600 and its missing parent 0700, and leaves no temporary file', async () => {
    const file = join(root, 'a', 'b', 'settings.json')
    await writeFileAtomically(fs, file, '{"port":4752}\n')
    expect(await fs.readFile(file, 'utf8')).toBe('{"port":4752}\n')
    expect(await modeOf(file)).toBe(0o600)
    expect(await modeOf(join(root, 'a', 'b'))).toBe(0o700)
    expect(await fs.readdir(join(root, 'a', 'b'))).toEqual(['settings.json'])
  })

  it('replaces a file whole, and its looser mode does not carry over', async () => {
    const file = join(root, 'clients.json')
    await fs.writeFile(file, 'old content that is longer than the new one')
    await fs.chmod(file, 0o644)
    await writeFileAtomically(fs, file, new TextEncoder().encode('new'))
    expect(await fs.readFile(file, 'utf8')).toBe('new')
    expect(await modeOf(file)).toBe(0o600)
    expect(await fs.readdir(root)).toEqual(['clients.json'])
  })

  it('writes the mode asked for exactly, and leaves an existing directory mode alone', async () => {
    await fs.chmod(root, 0o755)
    const file = join(root, 'native-messaging-host')
    await writeFileAtomically(fs, file, '#!/bin/sh\n', { mode: 0o755 })
    expect(await modeOf(file)).toBe(0o755)
    expect(await modeOf(root)).toBe(0o755)
  })

  it('concurrent writers: the file ends up as exactly one of the contents written, and no temporary is left', async () => {
    const file = join(root, 'credential')
    const contents = Array.from({ length: 20 }, (_, i) => `credential-${i}-`.repeat(2000 + i))
    await Promise.all(contents.map((content) => writeFileAtomically(fs, file, content)))
    expect(contents).toContain(await fs.readFile(file, 'utf8'))
    expect(await temps(root)).toEqual([])
  })

  it('removes a temporary a dead writer left long ago, not one a live writer just made', async () => {
    const file = join(root, 'settings.json')
    const stale = join(root, '.settings.json.tmp-dead01')
    const fresh = join(root, '.settings.json.tmp-live01')
    const other = join(root, '.other.json.tmp-dead02')
    for (const dir of [stale, fresh, other]) {
      await fs.mkdir(dir)
      await fs.writeFile(join(dir, 'partial'), 'half')
    }
    const hourAgo = new Date(Date.now() - 3600_000)
    await fs.utimes(stale, hourAgo, hourAgo)
    await fs.utimes(other, hourAgo, hourAgo)
    await writeFileAtomically(fs, file, 'x')
    expect((await fs.readdir(root)).sort()).toEqual(['.other.json.tmp-dead02', '.settings.json.tmp-live01', 'settings.json'])
  })
})

/** The steps of one write, in order, as the injected file system sees them. */
const STEPS = [
  'mkdir',
  'mkdtemp',
  'open(temp)',
  'handle.chmod',
  'handle.writeFile',
  'handle.sync',
  'handle.close',
  'rename',
  'stat',
  'rm',
  'open(dir)',
  'dir.sync',
  'readdir',
] as const
type Step = (typeof STEPS)[number] | 'chmod'

/**
 * node:fs/promises with one step failing (EIO). A failing writeFile first writes half the data,
 * as a disk that fills up would.
 */
function failingAt(step: Step, code = 'EIO'): { fs: AtomicWriteFileSystem; seen: Step[] } {
  const seen: Step[] = []
  const fail = (name: Step) => {
    seen.push(name)
    if (name === step) throw Object.assign(new Error(`${name} failed (injected)`), { code })
  }
  const wrap = (handle: fs.FileHandle, kind: 'temp' | 'dir'): AtomicWriteFileHandle => ({
    async writeFile(data) {
      if (step === 'handle.writeFile') {
        await handle.writeFile(typeof data === 'string' ? data.slice(0, data.length / 2) : data.subarray(0, data.length / 2))
      }
      fail('handle.writeFile')
      await handle.writeFile(data)
    },
    async chmod(mode) {
      fail('handle.chmod')
      await handle.chmod(mode)
    },
    async sync() {
      fail(kind === 'dir' ? 'dir.sync' : 'handle.sync')
      await handle.sync()
    },
    async close() {
      await handle.close()
      if (kind === 'temp') fail('handle.close')
    },
  })
  const injected: AtomicWriteFileSystem = {
    async mkdir(path, options) {
      fail('mkdir')
      return fs.mkdir(path, options)
    },
    async mkdtemp(prefix) {
      fail('mkdtemp')
      return fs.mkdtemp(prefix)
    },
    async chmod(path, mode) {
      fail('chmod')
      return fs.chmod(path, mode)
    },
    async open(path, flags, mode) {
      const kind = flags === 'r' ? 'dir' : 'temp'
      fail(kind === 'dir' ? 'open(dir)' : 'open(temp)')
      return wrap(await fs.open(path, flags, mode), kind)
    },
    async rename(from, to) {
      fail('rename')
      return fs.rename(from, to)
    },
    async rm(path, options) {
      fail('rm')
      return fs.rm(path, options)
    },
    async readdir(path) {
      fail('readdir')
      return fs.readdir(path)
    },
    async stat(path) {
      fail('stat')
      return fs.stat(path)
    },
  }
  return { fs: injected, seen }
}

describe('writeFileAtomically when a step fails', () => {
  const OLD = 'old settings\n'.repeat(100)
  const NEW = 'new settings\n'.repeat(300)

  it('goes through the steps in this order', async () => {
    const { fs: observed, seen } = failingAt('none' as Step)
    const file = join(root, 'settings.json')
    await fs.writeFile(file, OLD)
    await writeFileAtomically(observed, file, NEW)
    expect(seen).toEqual([...STEPS])
  })

  it.each(STEPS.slice(0, STEPS.indexOf('rename') + 1))('%s fails: the error is thrown, the old file stays whole, the temporary is removed', async (step) => {
    const file = join(root, 'settings.json')
    await fs.writeFile(file, OLD, { mode: 0o600 })
    await expect(writeFileAtomically(failingAt(step).fs, file, NEW)).rejects.toMatchObject({ code: 'EIO', message: `${step} failed (injected)` })
    expect(await fs.readFile(file, 'utf8')).toBe(OLD)
    expect(await fs.readdir(root)).toEqual(['settings.json'])
  })

  it('chmod of a directory it created fails: thrown, nothing written', async () => {
    const file = join(root, 'new-dir', 'settings.json')
    await expect(writeFileAtomically(failingAt('chmod').fs, file, NEW)).rejects.toMatchObject({ code: 'EIO' })
    expect(await fs.readdir(join(root, 'new-dir'))).toEqual([])
  })

  it.each(['open(dir)', 'dir.sync'] as const)('%s fails after the rename: thrown, and the file is already the new one, whole', async (step) => {
    const file = join(root, 'settings.json')
    await fs.writeFile(file, OLD)
    await expect(writeFileAtomically(failingAt(step).fs, file, NEW)).rejects.toMatchObject({ code: 'EIO' })
    expect(await fs.readFile(file, 'utf8')).toBe(NEW)
    expect(await temps(root)).toEqual([])
  })

  it.each([
    ['open(dir)', 'EISDIR'],
    ['dir.sync', 'EINVAL'],
  ] as const)('%s answering %s (a platform that cannot sync directories) is not an error', async (step, code) => {
    const file = join(root, 'settings.json')
    await writeFileAtomically(failingAt(step, code).fs, file, NEW)
    expect(await fs.readFile(file, 'utf8')).toBe(NEW)
  })

  it.each(['stat', 'rm', 'readdir'] as const)('%s fails in the clean-up: the write still succeeds', async (step) => {
    const file = join(root, 'settings.json')
    await fs.writeFile(file, OLD)
    await writeFileAtomically(failingAt(step).fs, file, NEW)
    expect(await fs.readFile(file, 'utf8')).toBe(NEW)
    // An empty temporary directory that could not be removed is removed later, once stale.
    for (const name of await temps(root)) expect(await fs.readdir(join(root, name))).toEqual([])
  })
})
