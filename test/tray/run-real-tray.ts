/**
 * Run by tray-xvfb.system.test.ts in a child process, under xvfb-run (and dbus-run-session) or with no
 * display at all, to see what the real systray2 helper does there. Prints one JSON line.
 *
 *   helper: startTray with the packaged helper: ready? then stop: exited or killed?
 *   agent:  a real agent whose desktop choice comes from this process's environment, as
 *           `ehagent start` would make it: its log lines about the tray, and how long it took.
 */
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PassThrough } from 'node:stream'
import { systemClock } from '../../agent/clock.js'
import { defaultConfig } from '../../agent/config.js'
import { choosePrompter } from '../../agent/consent/choose-prompter.js'
import { readDesktopFacts } from '../../agent/consent/desktop-facts.js'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import { startAgent } from '../../agent/start-agent.js'
import { trayIcon } from '../../agent/tray/draw-icon.js'
import { startTray } from '../../agent/tray/start-tray.js'
import { freePort, startTestSandbox } from '../helpers/start-test-agent.js'

const mode = process.argv[2]
const runtimeDir = mkdtempSync(join(tmpdir(), 'real-tray-'))
const t0 = Date.now()

if (mode === 'helper') {
  const model = (tooltip: string) => ({
    icon: trayIcon('signed-out', process.platform),
    title: 'eHealth',
    tooltip,
    items: [{ key: 'quit', title: 'Quit', tooltip: 'Quit', enabled: true }],
  })
  const started = await startTray({ model: model('eHealth agent: Signed out'), platform: process.platform, runtimeDir, readyTimeoutMs: 15_000, onClick: () => undefined })
  const readyMs = Date.now() - t0
  if (!started.ok) {
    console.log(JSON.stringify({ ok: false, reason: started.reason, readyMs }))
  } else {
    await started.tray.update(model('eHealth agent: Signed in'))
    await new Promise((r) => setTimeout(r, 300))
    const t1 = Date.now()
    const stopped = await started.tray.stop()
    console.log(JSON.stringify({ ok: true, readyMs, stopped, stopMs: Date.now() - t1 }))
  }
} else {
  const facts = readDesktopFacts(
    { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR },
    process.platform,
    existsSync,
  )
  const input = Object.assign(new PassThrough(), { isTTY: false })
  const choice = choosePrompter({ facts, terminal: { input, output: new PassThrough() }, openUrl: async () => undefined })
  const sandbox = await startTestSandbox()
  const stateDir = mkdtempSync(join(tmpdir(), 'real-tray-agent-'))
  const paths = { ...resolvePaths(stateDir, { platform: 'linux', home: stateDir, uid: process.getuid?.() ?? 0, env: {} }), sandboxDir: dirname(sandbox.state.pki.dir) }
  const logs: string[] = []
  const agent = await startAgent({
    paths,
    config: { ...defaultConfig(), port: await freePort(), environment: 'sandbox' },
    version: 'test',
    clock: systemClock,
    prompter: choice.prompter,
    log: (line) => logs.push(line),
    ipv6: false,
    desktop: choice.desktop,
    sandbox: { url: sandbox.url },
  })
  const tray = await agent.tray
  const startedMs = Date.now() - t0
  const t1 = Date.now()
  await agent.close()
  await sandbox.close()
  console.log(JSON.stringify({ facts, tray: tray !== undefined, logs: logs.filter((l) => l.startsWith('tray')), startedMs, closeMs: Date.now() - t1 }))
}
process.exit(0)
