import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The real systray2 helper on a real (virtual) X display, and the agent's start without one:
// what a user gets on a desktop, under xvfb-run with and without a D-Bus session bus, and on a
// server with no display at all. Each run is a child process (run-real-tray.ts) that prints one
// JSON line. What holds here: under Xvfb the helper starts (it reports ready even with no
// StatusNotifier host to show the icon) and stops cleanly on `exit`; with no bus or no display
// the agent logs one line and starts without a tray, in well under a second.

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SCRIPT = 'test/tray/run-real-tray.ts'

for (const tool of ['/usr/bin/xvfb-run', '/usr/bin/dbus-run-session']) {
  if (!existsSync(tool)) throw new Error(`${tool} is missing; install it with: apt-get install -y xvfb xauth dbus`)
}

function run(prefix: string[], mode: 'helper' | 'agent'): Promise<{ code: number; result: Record<string, unknown>; ms: number }> {
  const t0 = Date.now()
  // No DISPLAY or bus from the test's own environment: each case sets up exactly what it tests.
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.DISPLAY
  delete env.WAYLAND_DISPLAY
  delete env.DBUS_SESSION_BUS_ADDRESS
  const [file, ...args] = [...prefix, process.execPath, '--import', 'tsx', SCRIPT, mode]
  return new Promise((resolve, reject) => {
    execFile(file!, args, { cwd: ROOT, env, timeout: 90_000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'))
      if (!line) return reject(new Error(`no result from ${mode} (${String(error)}): ${stdout}\n${stderr}`))
      resolve({ code: error ? Number(error.code ?? -1) : 0, result: JSON.parse(line) as Record<string, unknown>, ms: Date.now() - t0 })
    })
  })
}

const XVFB = ['xvfb-run', '-a', '-s', '-screen 0 800x600x24']
const XVFB_WITH_BUS = ['dbus-run-session', '--', ...XVFB]

describe('the real tray helper', () => {
  it('under xvfb-run with a session bus: starts (ready), takes an update, and exits on request', async () => {
    const { code, result } = await run(XVFB_WITH_BUS, 'helper')
    expect(code).toBe(0)
    expect(result).toMatchObject({ ok: true, stopped: 'exited' })
    expect(result.readyMs as number).toBeLessThan(15_000)
    expect(result.stopMs as number).toBeLessThan(3000)
  }, 120_000)

  it('under xvfb-run without a bus: the helper itself still starts and stops cleanly', async () => {
    const { code, result } = await run(XVFB, 'helper')
    expect(code).toBe(0)
    expect(result).toMatchObject({ ok: true, stopped: 'exited' })
  }, 120_000)

  it('with no display: the helper exits at once and startTray says why, without waiting for a timeout', async () => {
    const { code, result } = await run([], 'helper')
    expect(code).toBe(0)
    expect(result.ok).toBe(false)
    expect(result.reason).toMatch(/^the tray helper did not start: it exited \(code 1\) — .*cannot open display/)
    expect(result.readyMs as number).toBeLessThan(5000)
  }, 120_000)
})

describe('the agent choosing its desktop from the environment', () => {
  it('display and bus: the tray starts, no log line about it, and the helper stops with the agent', async () => {
    const { code, result } = await run(XVFB_WITH_BUS, 'agent')
    expect(code).toBe(0)
    expect(result).toMatchObject({ facts: { display: true, sessionBus: true }, tray: true, logs: [] })
  }, 120_000)

  it('display but no bus (no tray host): one clear line, no tray, no wait', async () => {
    const { code, result } = await run(XVFB, 'agent')
    expect(code).toBe(0)
    expect(result).toMatchObject({
      facts: { display: true, sessionBus: false },
      tray: false,
      logs: ['tray icon: off — no D-Bus session bus, so no tray host could show it; sign-in prompts open in the browser'],
    })
    expect(result.startedMs as number).toBeLessThan(10_000)
  }, 120_000)

  it('no display: one clear line, prompts in the terminal', async () => {
    const { code, result } = await run([], 'agent')
    expect(code).toBe(0)
    expect(result).toMatchObject({
      facts: { display: false },
      tray: false,
      logs: ['tray icon: off — no display (neither DISPLAY nor WAYLAND_DISPLAY is set); sign-in prompts are asked in this terminal'],
    })
  }, 120_000)
})
