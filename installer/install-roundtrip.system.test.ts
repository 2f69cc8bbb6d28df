import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_ID } from '../protocol/browser-extension/names.js'
import { createTestToolRunner } from '../test/helpers/installer-tool-runner.js'
import { runCliCaptured } from '../test/helpers/run-cli-captured.js'
import { snapshotTree } from '../test/helpers/snapshot-tree.js'
import type { ToolRunner } from './run-tool.js'
import { requireTool } from '../test/helpers/xmlsec.js'

const homes: string[] = []
/** The tool runner here starts no real service: the agent "answers" as a started one would. */
const agentAnswers = async () => ({ ok: true as const, port: 4752, pid: 4242 })
function throwAwayHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'ehagent-home-'))
  homes.push(home)
  return home
}

beforeAll(() => {
  // The databases are rebuilt for real: the round trip must hold with them, not only without.
  requireTool('update-mime-database', 'shared-mime-info')
  requireTool('update-desktop-database', 'desktop-file-utils')
})
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true })
})

describe('ehagent install / uninstall in a throw-away HOME (Linux)', () => {
  it('an empty HOME: install twice gives the same files; uninstall leaves HOME exactly as it was', async () => {
    const home = throwAwayHome()
    const before = snapshotTree(home)
    const tools = createTestToolRunner()

    const first = await runCliCaptured(['install'], { home, runTool: tools.run, waitForAgent: agentAnswers })
    expect(first.stderr).toBe('starting the agent…\n')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('ehealth-agent is installed for this user')
    expect(first.stdout).toContain('running now on 127.0.0.1:4752 (pid 4242)')
    const unit = join(home, '.config/systemd/user/ehealth-agent.service')
    expect(readFileSync(unit, 'utf8')).toContain(`ExecStart=${process.execPath} --v8-pool-size=1 --max-semi-space-size=8 ${join(process.cwd(), 'bin', 'ehagent.js')} start`)
    expect(readlinkSync(join(home, '.config/systemd/user/default.target.wants/ehealth-agent.service'))).toBe(unit)
    expect(existsSync(join(home, '.config/autostart/ehealth-agent-tray.desktop'))).toBe(true)
    // The real databases know the type and its handler now.
    expect(readFileSync(join(home, '.local/share/mime/globs2'), 'utf8')).toMatch(/:application\/vnd\.ehealth-agent\.sso-token\+xml:\*\.ehtoken$/m)
    expect(readFileSync(join(home, '.local/share/applications/mimeinfo.cache'), 'utf8')).toContain(
      'application/vnd.ehealth-agent.sso-token+xml=ehealth-agent-import-token.desktop;',
    )
    expect(tools.calls).toEqual(expect.arrayContaining(['systemctl --user daemon-reload', 'systemctl --user restart ehealth-agent.service']))
    // The browser extension's native host: where Chromium and Chrome look, naming our wrapper.
    const wrapper = join(home, '.local/share/ehealth-agent/native-messaging-host')
    expect(statSync(wrapper).mode & 0o777).toBe(0o755)
    expect(readFileSync(wrapper, 'utf8')).toContain(`'${join(process.cwd(), 'dist/bundle/native-host.js')}' "$@"`)
    for (const browser of ['chromium', 'google-chrome']) {
      const manifest = JSON.parse(readFileSync(join(home, `.config/${browser}/NativeMessagingHosts/be.ehealth_agent.host.json`), 'utf8')) as Record<string, unknown>
      expect(manifest).toMatchObject({ name: 'be.ehealth_agent.host', path: wrapper, type: 'stdio', allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] })
    }
    const installed = snapshotTree(home)

    const second = await runCliCaptured(['install'], { home, runTool: tools.run, waitForAgent: agentAnswers })
    expect(second.code).toBe(0)
    expect(snapshotTree(home)).toEqual(installed)

    const removed = await runCliCaptured(['uninstall'], { home, runTool: tools.run })
    expect(removed.code).toBe(0)
    expect(removed.stdout).toContain(unit)
    expect(removed.stdout).toContain('No data of ehealth-agent was found.')
    expect(tools.calls).toContain('systemctl --user stop ehealth-agent.service')
    expect(snapshotTree(home)).toEqual(before)
  })

  it("a lived-in HOME: the user's other entries, MIME packages and the agent's data survive, and are named", async () => {
    const home = throwAwayHome()
    const put = (rel: string, text: string) => {
      mkdirSync(join(home, rel, '..'), { recursive: true })
      writeFileSync(join(home, rel), text)
    }
    put('.config/autostart/other.desktop', '[Desktop Entry]\nType=Application\nName=Other\nExec=other\n')
    put('.config/systemd/user/other.service', '[Service]\nExecStart=/bin/true\n')
    put('.local/share/applications/viewer.desktop', '[Desktop Entry]\nType=Application\nName=Viewer\nExec=viewer %f\nMimeType=text/x-other;\n')
    put(
      '.local/share/mime/packages/other.xml',
      '<?xml version="1.0"?>\n<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info"><mime-type type="text/x-other"><glob pattern="*.other"/></mime-type></mime-info>\n',
    )
    execFileSync('update-mime-database', [join(home, '.local/share/mime')])
    execFileSync('update-desktop-database', [join(home, '.local/share/applications')])
    put('.config/ehealth-agent/config.json', '{ "environment": "sandbox" }\n')
    put('.local/state/ehealth-agent/audit/2025-01-10.jsonl', '{}\n')
    put('.local/state/ehealth-agent/clients.json', '[]\n')
    const before = snapshotTree(home)
    const tools = createTestToolRunner()

    expect((await runCliCaptured(['install', '--no-start'], { home, runTool: tools.run })).code).toBe(0)
    expect(tools.calls).not.toContain('systemctl --user restart ehealth-agent.service')
    expect(readFileSync(join(home, '.local/share/mime/globs2'), 'utf8')).toMatch(/\*\.other/)
    const removed = await runCliCaptured(['uninstall', '--json'], { home, runTool: tools.run })
    expect(removed.code).toBe(0)
    const outcome = JSON.parse(removed.stdout) as { removed: string[]; dataLeft: { what: string; path: string; exists: boolean }[] }
    expect(outcome.removed).toHaveLength(9)
    expect(outcome.dataLeft.filter((d) => d.exists)).toEqual([
      { what: 'settings', path: join(home, '.config/ehealth-agent'), exists: true },
      { what: 'paired applications', path: join(home, '.local/state/ehealth-agent/clients.json'), exists: true },
      { what: 'privacy log', path: join(home, '.local/state/ehealth-agent/audit'), exists: true },
    ])
    expect(snapshotTree(home)).toEqual(before)
  })

  it('the service cannot be started: install exits 1 and says why (the tool\'s own words)', async () => {
    const home = throwAwayHome()
    const tools = createTestToolRunner()
    const failing: ToolRunner = async (command, args) =>
      command === 'systemctl' && args.includes('restart') ? { code: 1, stdout: '', stderr: 'Failed to connect to bus: No medium found\n', missing: false } : tools.run(command, args)
    let waited = false
    const run = await runCliCaptured(['install'], { home, runTool: failing, waitForAgent: async () => ((waited = true), agentAnswers()) })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('ehagent install: could not start the agent now: systemctl --user restart ehealth-agent.service exited with 1 (Failed to connect to bus: No medium found)\n')
    expect(run.stdout).toContain('ehealth-agent is NOT fully installed:')
    expect(run.stdout).toContain('note: why the service did not start: journalctl --user -u ehealth-agent.service')
    expect(waited).toBe(false)
  })

  it('the service starts but its agent never answers: install exits 1, says so and where to look', async () => {
    const home = throwAwayHome()
    const tools = createTestToolRunner()
    const run = await runCliCaptured(['install', '--json'], { home, runTool: tools.run, waitForAgent: async () => ({ ok: false, why: 'nothing answers on 127.0.0.1:4752 (the port its discovery file names), 30 s after the start' }) })
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).failures).toEqual([
      'the service was started, but the agent did not come up: nothing answers on 127.0.0.1:4752 (the port its discovery file names), 30 s after the start; see journalctl --user -u ehealth-agent.service',
    ])
  })

  it('install --dry-run --json shows the plan and writes nothing', async () => {
    const home = throwAwayHome()
    const tools = createTestToolRunner()
    const run = await runCliCaptured(['install', '--dry-run', '--json'], { home, runTool: tools.run })
    expect(run.code).toBe(0)
    const plan = JSON.parse(run.stdout) as { platform: string; steps: { kind: string; path?: string; content?: string }[] }
    expect(plan.platform).toBe('linux')
    expect(plan.steps.find((s) => s.path?.endsWith('ehealth-agent.service') && s.kind === 'file')?.content).toMatch(/^Restart=on-failure$/m)
    expect(snapshotTree(home)).toEqual({})
    expect(tools.calls).toEqual([])
  })

  it('uninstall when nothing was installed says so and touches nothing', async () => {
    const home = throwAwayHome()
    const tools = createTestToolRunner()
    const run = await runCliCaptured(['uninstall'], { home, runTool: tools.run })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('was not installed for this user')
    expect(tools.calls).toEqual([])
    expect(snapshotTree(home)).toEqual({})
  })
})
