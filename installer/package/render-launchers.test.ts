import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { renderPosixLauncher, renderWindowsLauncher, renderWindowsNativeHost } from './render-launchers.js'

const scratch = mkdtempSync(join(tmpdir(), 'launcher-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('the Linux launcher', () => {
  it('runs the tree\'s own runtime on the tree\'s bin/ehagent.js, found through a symlink like /usr/bin/ehagent, arguments untouched', () => {
    // A tree in a folder whose name a shell would misread, reached through a link elsewhere.
    const tree = join(scratch, 'Dr "Jan" $HOME `id` tree')
    mkdirSync(join(tree, 'runtime'), { recursive: true })
    mkdirSync(join(tree, 'bin'))
    symlinkSync(process.execPath, join(tree, 'runtime', 'node'))
    writeFileSync(join(tree, 'bin', 'ehagent.js'), 'process.stdout.write(JSON.stringify([process.argv[1], ...process.argv.slice(2)]))\n')
    writeFileSync(join(tree, 'ehagent'), renderPosixLauncher(), { mode: 0o755 })
    mkdirSync(join(scratch, 'usr-bin'))
    symlinkSync(join(tree, 'ehagent'), join(scratch, 'usr-bin', 'ehagent'))
    const run = spawnSync(join(scratch, 'usr-bin', 'ehagent'), ['start', '--state-dir', "/srv/O'Brien & co"], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual([join(tree, 'bin', 'ehagent.js'), 'start', '--state-dir', "/srv/O'Brien & co"])
  })
})

describe('the Windows launchers', () => {
  it('run the runtime and the entry point from the batch file\'s own folder (%~dp0), with CRLF lines and no echo', () => {
    const cmd = renderWindowsLauncher()
    expect(cmd.split('\r\n')).toEqual(['@echo off', expect.stringMatching(/^rem /), '"%~dp0runtime\\node.exe" "%~dp0bin\\ehagent.js" %*', ''])
    const host = renderWindowsNativeHost().split('\r\n')
    expect(host[0]).toBe('@echo off')
    // The bundled host (installer/bundle-layout.ts), where the installer's own helper says it is.
    expect(host[2]).toBe('"%~dp0runtime\\node.exe" "%~dp0dist\\bundle\\native-host.js" %*')
  })
})
