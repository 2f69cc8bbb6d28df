import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { requireTool } from '../test/helpers/xmlsec.js'
import type { InstallContext } from './install-context.js'
import { quoteSystemdArg, renderSystemdUnit } from './render-systemd-unit.js'

const BIN = resolve('bin/ehagent.js')
const base: InstallContext = { platform: 'linux', home: '/home/dr', env: {}, nodePath: process.execPath, binPath: BIN }
const scratch = mkdtempSync(join(tmpdir(), 'systemd-verify-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/**
 * `systemd-analyze --user verify` on the unit, as a user manager would load it. It needs a
 * runtime directory (a user manager's XDG_RUNTIME_DIR), which a root shell in CI lacks: a private
 * throw-away one is given. Warnings (an unknown key, bad quoting) do not change the exit code, so
 * the output must be empty too.
 */
function verifyUnit(text: string): { status: number | null; output: string } {
  requireTool('systemd-analyze', 'systemd')
  const dir = mkdtempSync(join(scratch, 'unit-'))
  const runtime = join(dir, 'run')
  mkdirSync(runtime, { mode: 0o700 })
  const file = join(dir, 'ehealth-agent.service')
  writeFileSync(file, text)
  const res = spawnSync('systemd-analyze', ['--user', '--man=no', 'verify', file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_RUNTIME_DIR: runtime },
  })
  return { status: res.status, output: `${res.stdout}${res.stderr}`.trim() }
}

describe('the systemd user unit', () => {
  it('runs the absolute node and bin paths, restarts on failure, needs no root', () => {
    const unit = renderSystemdUnit(base)
    expect(unit).toContain(`ExecStart=${process.execPath} ${BIN} start\n`)
    expect(unit).toMatch(/^Restart=on-failure$/m)
    expect(unit).toMatch(/^WantedBy=default\.target$/m)
    expect(unit).not.toMatch(/^(User|Group)=/m)
    expect(unit).toMatch(/^\[Unit\]$[\s\S]*^\[Service\]$[\s\S]*^\[Install\]$/m)
  })

  it('passes systemd-analyze verify with no warning', () => {
    const res = verifyUnit(renderSystemdUnit(base))
    expect(res.output).toBe('')
    expect(res.status).toBe(0)
  })

  it('passes verify with a --state-dir holding blanks, quotes, % and $', () => {
    const unit = renderSystemdUnit({ ...base, stateDir: '/srv/Dr "Jan" Peeters/100% $HOME' })
    expect(unit).toContain('--state-dir "/srv/Dr \\"Jan\\" Peeters/100%% $$HOME"')
    const res = verifyUnit(unit)
    expect(res.output).toBe('')
    expect(res.status).toBe(0)
  })

  it('the verifier does catch a broken unit (so a pass means something)', () => {
    const broken = renderSystemdUnit(base).replace('Restart=on-failure', 'Restart=on-failure\nExecStartPre=/usr/bin/true "unbalanced')
    const res = verifyUnit(broken)
    expect(res.output).toMatch(/Unbalanced quoting/)
    const missingNode = verifyUnit(renderSystemdUnit({ ...base, nodePath: '/nonexistent/node' }))
    expect(missingNode.status).not.toBe(0)
    expect(missingNode.output).toMatch(/not executable/)
  })

  it('quotes ExecStart words only when needed', () => {
    expect(quoteSystemdArg('/usr/bin/node')).toBe('/usr/bin/node')
    expect(quoteSystemdArg('a b')).toBe('"a b"')
    expect(quoteSystemdArg('C:\\x')).toBe('"C:\\\\x"')
    expect(quoteSystemdArg('50%')).toBe('50%%')
    expect(quoteSystemdArg('')).toBe('""')
  })
})
