import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { InstallContext } from './install-context.js'
import { quoteSystemdArg, renderSystemdUnit } from './render-systemd-unit.js'

const BIN = resolve('bin/ehagent.js')
const base: InstallContext = { platform: 'linux', home: '/home/dr', env: {}, nodePath: process.execPath, binPath: BIN }

// systemd-analyze, systemd's own reader, checks these units in render-systemd-unit.system.test.ts.

describe('the systemd user unit', () => {
  it('runs the absolute node and bin paths, restarts on failure, needs no root', () => {
    const unit = renderSystemdUnit(base)
    expect(unit).toContain(`ExecStart=${process.execPath} --v8-pool-size=1 --max-semi-space-size=8 ${BIN} start\n`)
    expect(unit).toMatch(/^Restart=on-failure$/m)
    expect(unit).toMatch(/^WantedBy=default\.target$/m)
    expect(unit).not.toMatch(/^(User|Group)=/m)
    expect(unit).toMatch(/^\[Unit\]$[\s\S]*^\[Service\]$[\s\S]*^\[Install\]$/m)
  })

  it('quotes a --state-dir holding blanks, quotes, % and $ for ExecStart', () => {
    const unit = renderSystemdUnit({ ...base, stateDir: '/srv/Dr "Jan" Peeters/100% $HOME' })
    expect(unit).toContain('--state-dir "/srv/Dr \\"Jan\\" Peeters/100%% $$HOME"')
  })

  it('quotes ExecStart words only when needed', () => {
    expect(quoteSystemdArg('/usr/bin/node')).toBe('/usr/bin/node')
    expect(quoteSystemdArg('a b')).toBe('"a b"')
    expect(quoteSystemdArg('C:\\x')).toBe('"C:\\\\x"')
    expect(quoteSystemdArg('50%')).toBe('50%%')
    expect(quoteSystemdArg('')).toBe('""')
  })
})
