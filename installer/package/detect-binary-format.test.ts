import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectBinaryFormat } from './detect-binary-format.js'

// systray2 ships its tray helper for Linux, Windows and macOS side by side: three real
// executables built by others, whatever OS this test runs on.
const traybin = join(dirname(createRequire(import.meta.url).resolve('systray2/package.json')), 'traybin')
const head = (name: string) => readFileSync(join(traybin, name)).subarray(0, 1024)

describe('detectBinaryFormat', () => {
  it('tells ELF, PE and Mach-O executables apart', () => {
    expect(detectBinaryFormat(head('tray_linux_release'))).toBe('elf')
    expect(detectBinaryFormat(head('tray_windows_release.exe'))).toBe('pe')
    expect(detectBinaryFormat(head('tray_darwin_release'))).toBe('mach-o')
  })

  it('does not take text, a bare "MZ" or a Java class file for an executable', () => {
    expect(detectBinaryFormat(Buffer.from('#!/usr/bin/env node\nconsole.log(1)\n'))).toBeUndefined()
    expect(detectBinaryFormat(Buffer.from('MZ is a text that happens to start like a DOS stub, and goes on for a while longer.'))).toBeUndefined()
    expect(detectBinaryFormat(Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]))).toBeUndefined()
    expect(detectBinaryFormat(Buffer.alloc(0))).toBeUndefined()
  })
})
