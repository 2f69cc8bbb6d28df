import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readManifestDirs } from './apply-install.js'
import { parseManifest, renderManifest } from './install-manifest.js'

const dir = mkdtempSync(join(tmpdir(), 'install-manifest-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the install manifest', () => {
  it('reads back what it writes, directories sorted and once', () => {
    const text = renderManifest({ version: 1, platform: 'linux', createdDirs: ['/h/.local/share/b', '/h/.config/a', '/h/.config/a'] })
    expect(parseManifest(text)).toEqual({ ok: true, manifest: { version: 1, platform: 'linux', createdDirs: ['/h/.config/a', '/h/.local/share/b'] } })
  })

  it.each([
    ['{"version":1,"platform":"linux","createdDirs":["/a",42]}', 'createdDirs.1: '],
    ['{"version":2,"platform":"linux","createdDirs":[]}', 'version: '],
    ['{"version":1,"createdDirs":[]}', 'platform: '],
    ['{"version":1,"platform":"linux","createdDirs":[],"extra":true}', '(root): '],
    ['[]', '(root): '],
    ['{"version":1,', 'it is not JSON'],
  ])('refuses %s, naming the field', (text, problem) => {
    const read = parseManifest(text)
    expect(read.ok).toBe(false)
    expect(!read.ok && read.problem).toContain(problem)
  })

  it('readManifestDirs: a broken manifest counts as none, with a note naming the file, the field and the consequence', async () => {
    const file = join(dir, 'installed.json')
    writeFileSync(file, '{"version":1,"platform":"linux","createdDirs":"/a"}')
    const notes: string[] = []
    expect(await readManifestDirs(file, notes, 'they stay')).toEqual([])
    expect(notes).toEqual([expect.stringMatching(new RegExp(`^the install record ${file} is not valid \\(createdDirs: .*\\): they stay$`))])

    writeFileSync(file, renderManifest({ version: 1, platform: 'linux', createdDirs: ['/a'] }))
    const none: string[] = []
    expect(await readManifestDirs(file, none, 'they stay')).toEqual(['/a'])
    expect(await readManifestDirs(join(dir, 'missing.json'), none, 'they stay')).toEqual([])
    expect(none).toEqual([])
  })
})
