import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultConfig, loadConfig, saveConfig } from './config.js'

const root = mkdtempSync(join(tmpdir(), 'config-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let n = 0
function configFile(text?: string): string {
  const dir = join(root, `case-${n++}`)
  mkdirSync(dir)
  const file = join(dir, 'config.json')
  if (text !== undefined) writeFileSync(file, text)
  return file
}

describe('the settings file', () => {
  it('a missing file gives the defaults, written owner-only in a new private directory', async () => {
    const file = join(root, 'fresh', 'ehealth-agent', 'config.json')
    expect(await loadConfig(file)).toEqual(defaultConfig())
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(defaultConfig())
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(root, 'fresh', 'ehealth-agent')).mode & 0o777).toBe(0o700)
  })

  it('saves and reads back, atomically (no temporary left)', async () => {
    const file = configFile()
    await saveConfig(file, { ...defaultConfig(), port: 5000, language: 'nl' })
    expect(await loadConfig(file)).toMatchObject({ port: 5000, language: 'nl', environment: 'sandbox' })
    expect(readdirSync(join(file, '..'))).toEqual(['config.json'])
  })

  it.each([
    ['{"port": "abc"}', 'port: '],
    ['{"port": 80}', 'port: '],
    ['{"environment": "production"}', 'environment: '],
    ['{"login": {"metod": "eid"}}', 'login: '],
    ['{"prot": 4752}', '(root): '],
    ['{"allowedExtensionIds": ["abc"]}', 'allowedExtensionIds.0: an extension id is 32 letters a-p'],
    ['{"serviceAllowlist": ["not a url"]}', 'serviceAllowlist.0: '],
    ['{"port": 4752', 'it is not valid JSON'],
    ['[]', '(root): '],
  ])('%s is ERR_CONFIG_INVALID naming the file and the setting', async (text, where) => {
    const file = configFile(text)
    const error = await loadConfig(file).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining(`the settings file ${file} is not valid: ${where}`) })
    // What to do comes with the code: fix the file or run ehagent doctor.
    expect((error as { hint: string }).hint).toMatch(/fix the config file or run ehagent doctor/)
    // A broken file is left for the user to fix, never overwritten with defaults.
    expect(readFileSync(file, 'utf8')).toBe(text)
  })

  it('refuses to save settings that are not valid', async () => {
    const file = configFile()
    await expect(saveConfig(file, { ...defaultConfig(), port: 1 })).rejects.toThrow()
    expect(readdirSync(join(file, '..'))).toEqual([])
  })
})
