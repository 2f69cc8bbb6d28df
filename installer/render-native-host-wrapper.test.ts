import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { listNativeHostRegistryKeys, renderNativeHostRegistry } from './render-native-host-registry.js'
import { quoteBatchWord, renderPosixHostWrapper, renderWindowsHostWrapper } from './render-native-host-wrapper.js'

const scratch = mkdtempSync(join(tmpdir(), 'host-wrapper-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('the native host wrapper (POSIX sh)', () => {
  it('runs the command word for word and appends what Chrome passes, whatever the paths hold', () => {
    // A stand-in for node + host: prints the arguments it received.
    const printer = join(scratch, 'print-args.mjs')
    writeFileSync(printer, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))\n')
    const awkward = `/srv/Dr "Jan" O'Brien/$HOME/\`id\`/100% & more`
    const file = join(scratch, 'native-messaging-host')
    writeFileSync(file, renderPosixHostWrapper([process.execPath, printer, '--state-dir', awkward]), { mode: 0o755 })
    const run = spawnSync(file, ['chrome-extension://genikcfmigceelnkkckhdkieobalmnob/'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual(['--state-dir', awkward, 'chrome-extension://genikcfmigceelnkkckhdkieobalmnob/'])
  })

  it('is a #!/bin/sh script that execs (the browser\'s pipes become node\'s) and prints nothing itself', () => {
    const text = renderPosixHostWrapper(['/usr/bin/node', '/opt/eha/dist/bundle/native-host.js'])
    expect(text.startsWith('#!/bin/sh\n')).toBe(true)
    const commands = text.split('\n').filter((l) => l && !l.startsWith('#'))
    expect(commands).toEqual([`exec '/usr/bin/node' '/opt/eha/dist/bundle/native-host.js' "$@"`])
  })
})

describe('the native host wrapper (Windows batch file)', () => {
  it('turns echo off first (an echoed line on stdout would break the first frame), CRLF, passes %*', () => {
    const text = renderWindowsHostWrapper(['C:\\Program Files\\nodejs\\node.exe', 'C:\\eha\\dist\\clients\\browser-extension\\host\\main.js', '--state-dir', 'D:\\R&D 100%\\'])
    const lines = text.split('\r\n')
    expect(lines[0]).toBe('@echo off')
    expect(text).not.toMatch(/[^\r]\n/)
    expect(lines[2]).toBe('"C:\\Program Files\\nodejs\\node.exe" "C:\\eha\\dist\\clients\\browser-extension\\host\\main.js" "--state-dir" "D:\\R&D 100%%\\\\" %*')
  })

  it('refuses a double quote, which no Windows path holds and cmd.exe would misparse', () => {
    expect(() => quoteBatchWord('a"b')).toThrow(/double quote/)
  })
})

describe('the native host registry file (Windows)', () => {
  it('points HKCU Chrome and Chromium at the manifest, nothing under HKLM', () => {
    const reg = renderNativeHostRegistry('C:\\Users\\dr\\AppData\\Local\\ehealth-agent\\installer\\be.ehealth_agent.host.json')
    const lines = reg.split('\r\n')
    expect(lines[0]).toBe('Windows Registry Editor Version 5.00')
    expect(reg).not.toMatch(/HKEY_LOCAL_MACHINE/)
    expect(listNativeHostRegistryKeys()).toEqual([
      'HKEY_CURRENT_USER\\Software\\Google\\Chrome\\NativeMessagingHosts\\be.ehealth_agent.host',
      'HKEY_CURRENT_USER\\Software\\Chromium\\NativeMessagingHosts\\be.ehealth_agent.host',
    ])
    for (const key of listNativeHostRegistryKeys()) {
      const at = lines.indexOf(`[${key}]`)
      expect(at).toBeGreaterThan(0)
      expect(lines[at + 1]).toBe('@="C:\\\\Users\\\\dr\\\\AppData\\\\Local\\\\ehealth-agent\\\\installer\\\\be.ehealth_agent.host.json"')
    }
  })
})
