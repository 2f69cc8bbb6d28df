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

  it('reads the old name caBundle as extraCaFile, says so, and saves the new name', async () => {
    const file = configFile('{"caBundle": "/etc/ssl/hospital-proxy-ca.pem"}')
    const notes: string[] = []
    const config = await loadConfig(file, (n) => notes.push(n))
    expect(config.extraCaFile).toBe('/etc/ssl/hospital-proxy-ca.pem')
    expect(config).not.toHaveProperty('caBundle')
    expect(notes).toEqual([`${file}: the setting "caBundle" is now called "extraCaFile"; it is read as extraCaFile (rename it in the file)`])
    await saveConfig(file, config)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ extraCaFile: '/etc/ssl/hospital-proxy-ca.pem' })
    expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('caBundle')
    // Both names, the same file: fine. Different files: the agent will not guess.
    expect((await loadConfig(configFile('{"caBundle": "/a.pem", "extraCaFile": "/a.pem"}'))).extraCaFile).toBe('/a.pem')
    await expect(loadConfig(configFile('{"caBundle": "/a.pem", "extraCaFile": "/b.pem"}'))).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: expect.stringMatching(/caBundle: it is the old name of "extraCaFile", and the two differ; keep only extraCaFile$/),
    })
  })

  it('checks the proxy setting, without echoing a password in the message', async () => {
    const ok = await loadConfig(configFile('{"proxy": "http://proxy.hospital.example:3128", "proxyUsername": "alice", "proxyPassword": "pw", "noProxy": ".hospital.example"}'))
    expect(ok).toMatchObject({ proxy: 'http://proxy.hospital.example:3128', proxyUsername: 'alice', noProxy: '.hospital.example' })
    const err = (await loadConfig(configFile('{"proxy": "socks5://alice:s3cret@proxy:1080"}')).catch((e: unknown) => e)) as Error
    expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/proxy: not a usable proxy: socks5 proxies are not supported/) })
    expect(err.message).not.toContain('s3cret')
  })

  it('refuses to save settings that are not valid', async () => {
    const file = configFile()
    await expect(saveConfig(file, { ...defaultConfig(), port: 1 })).rejects.toThrow()
    expect(readdirSync(join(file, '..'))).toEqual([])
  })
})
