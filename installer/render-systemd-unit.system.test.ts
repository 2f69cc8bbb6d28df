import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { requireTool } from '../test/helpers/xmlsec.js'
import type { InstallContext } from './install-context.js'
import { renderSystemdUnit } from './render-systemd-unit.js'

// The unit's content is tested in render-systemd-unit.test.ts; here systemd itself reads it.

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

describe('the systemd user unit, read by systemd-analyze', () => {
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
})
