import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { requireTool } from '../test/helpers/xmlsec.js'
import type { InstallContext } from './install-context.js'
import { renderTokenHandlerEntry, renderTrayAutostartEntry } from './render-desktop-entries.js'

// The entries' content is tested in render-desktop-entries.test.ts; here the reference checker
// says they are valid desktop entries.

const ctx: InstallContext = { platform: 'linux', home: '/home/dr', env: {}, nodePath: '/usr/bin/node', binPath: '/opt/ehealth-agent/bin/ehagent.js' }

/** desktop-file-validate (Debian desktop-file-utils), the freedesktop.org reference checker. */
function validate(name: string, text: string): string {
  requireTool('desktop-file-validate', 'desktop-file-utils')
  const dir = mkdtempSync(join(tmpdir(), 'desktop-'))
  try {
    writeFileSync(join(dir, name), text)
    const res = spawnSync('desktop-file-validate', [join(dir, name)], { encoding: 'utf8' })
    return `${res.status}${res.stdout}${res.stderr}`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the Linux desktop entries, checked by desktop-file-validate', () => {
  it('the token handler entry is valid', () => {
    expect(validate('ehealth-agent-import-token.desktop', renderTokenHandlerEntry(ctx))).toBe('0')
  })

  it('so is the token handler with a --state-dir that needs quoting', () => {
    const entry = renderTokenHandlerEntry({ ...ctx, stateDir: '/home/dr/My eHealth $x' })
    expect(entry).toContain('--state-dir "/home/dr/My eHealth \\\\$x" %f')
    expect(validate('ehealth-agent-import-token.desktop', entry)).toBe('0')
  })

  it('the tray autostart entry is valid', () => {
    expect(validate('ehealth-agent-tray.desktop', renderTrayAutostartEntry())).toBe('0')
  })

  it('the checker does refuse a broken entry (so a pass means something)', () => {
    const broken = renderTrayAutostartEntry().replace(/^Exec=.*$/m, 'Exec=sh -c "unbalanced')
    expect(validate('ehealth-agent-tray.desktop', broken)).not.toBe('0')
  })
})
