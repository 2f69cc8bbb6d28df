import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { findPackageRoot, readPackageJson } from './package-json.js'

const root = mkdtempSync(join(tmpdir(), 'package-json-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('package.json', () => {
  it('finds the installation above a file, passing over a package.json that is not ours or not JSON', () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ehealth-agent', version: '1.2.3' }))
    mkdirSync(join(root, 'dist', 'agent'), { recursive: true })
    writeFileSync(join(root, 'dist', 'package.json'), '{"type": "module"')
    writeFileSync(join(root, 'dist', 'agent', 'package.json'), JSON.stringify({ name: 'something-else' }))
    expect(findPackageRoot(pathToFileURL(join(root, 'dist', 'agent', 'main.js')))).toBe(root)
    expect(readPackageJson(root)).toEqual({ name: 'ehealth-agent', version: '1.2.3' })
  })

  it('a package.json without a version is named, with what to do', () => {
    const dir = join(root, 'broken')
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ehealth-agent' }))
    expect(() => readPackageJson(dir)).toThrow(`ehealth-agent: ${join(dir, 'package.json')} is not valid (version: `)
    expect(() => readPackageJson(dir)).toThrow(/; reinstall ehealth-agent$/)
  })

  it("this repository's own package.json reads", () => {
    expect(readPackageJson(findPackageRoot(new URL(import.meta.url))).name).toBe('ehealth-agent')
  })
})
