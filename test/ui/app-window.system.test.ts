import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { launchDetached, openInAppWindow } from '../../agent/consent/open-url.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'

// The prompt's app window for real: the agent's own opener (openInAppWindow) finds Chromium on
// PATH and starts it with --app=<one-time link> on a virtual X display (Xvfb). What it shows:
// Chromium fetched the link (the agent served the prompt page to it, and the link is used up), and
// X has a window titled with the prompt page's title whose WM_CLASS is Chromium's app-window class
// (`127.0.0.1__ui_open`, not the `chromium` of a browser window with tabs).
//
// The only test-specific part: the test runs as root here, where Chromium refuses to start
// without --no-sandbox, so PATH holds a `chromium` that adds it (and a throw-away profile);
// everything else is what the agent does on a user's desktop.

const CHROMIUM = '/usr/bin/chromium'
const XVFB = '/usr/bin/Xvfb'
const XWININFO = '/usr/bin/xwininfo'

let xvfb: ChildProcess
let display: string
let scratch: string
let t: UiTestAgent
const browsers: number[] = []

beforeAll(async () => {
  for (const [file, pkg] of [
    [CHROMIUM, 'chromium'],
    [XVFB, 'xvfb'],
    [XWININFO, 'x11-utils'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing; install it with: apt-get install -y ${pkg}`)
  }
  scratch = mkdtempSync(join(tmpdir(), 'app-window-'))
  // Xvfb picks a free display and writes its number on fd 3.
  xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] })
  display = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('Xvfb did not report its display')), 15_000)
    ;(xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) {
        clearTimeout(timer)
        resolve(`:${out.trim()}`)
      }
    })
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)))
  })

  const bin = join(scratch, 'bin')
  mkdirSync(bin)
  const wrapper = join(bin, 'chromium')
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec ${CHROMIUM} --no-sandbox --user-data-dir='${join(scratch, 'profile')}' --no-first-run --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-crash-reporter "$@"\n`,
  )
  chmodSync(wrapper, 0o755)
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: scratch, DISPLAY: display }
  const open = openInAppWindow({ platform: 'linux', path: env.PATH, exists: existsSync }, launchDetached('linux', { env, onSpawn: (pid) => browsers.push(pid) }))
  t = await startUiTestAgent({ openPrompt: open })
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
  // Each browser we started runs in its own process group (detached): end that group.
  for (const pid of browsers) {
    try {
      process.kill(-pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  if (xvfb?.pid !== undefined) xvfb.kill('SIGTERM')
  rmSync(scratch, { recursive: true, force: true })
})

/** The top-level X windows: `"title": ("instance" "class")`. */
function windows(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(XWININFO, ['-root', '-tree'], { env: { DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  )
}

describe('a prompt opens as a Chromium app window (Linux, real Chromium under Xvfb)', () => {
  it('the sign-in prompt: Chromium started with --app=<link> fetches the page into a window of its own', async () => {
    const cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    const login = cli.call('session.login', { profile: 'doctor' })
    login.catch(() => undefined)
    const link = await t.opened.next()
    await expect.poll(() => browsers.length, { timeout: 10_000 }).toBe(1)
    // The window: titled as the prompt page, with Chromium's app-window class.
    let tree = ''
    for (let i = 0; i < 150 && !/"Sign in to eHealth – eHealth agent": \("127\.0\.0\.1__ui_open" "Chromium"\)/.test(tree); i++) {
      await new Promise((r) => setTimeout(r, 200))
      tree = await windows()
    }
    expect(tree).toMatch(/"Sign in to eHealth – eHealth agent": \("127\.0\.0\.1__ui_open" "Chromium"\)/)
    // No browser window with tabs was opened for it.
    expect(tree).not.toMatch(/"Sign in to eHealth – eHealth agent": \("chromium" "Chromium"\)/)
    // Chromium used the one-time link: it works no more.
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(403)
    const [prompt] = t.web.desk.waiting()
    expect(prompt?.question.kind).toBe('sign-in')
    t.web.desk.answer(prompt!.id, { kind: 'secret', secret: 'sandbox' })
    await expect(login).resolves.toMatchObject({ state: 'signed-in' })
  }, 60_000)
})
