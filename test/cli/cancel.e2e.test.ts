import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import type { DeskEntry } from '../../agent/consent/prompt-desk.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'

// Ctrl-C (SIGINT) or SIGTERM in a CLI command that waits for the user — login, pair, a sign
// that signs in first — cancels it at once, and the agent withdraws the prompt it was showing:
// the CLI's request is aborted, its connection closes, and the agent's request signal withdraws
// the prompt from the desk. A real `ehagent` child process against a real agent (its prompts on
// the web prompter's desk, which the test reads as the pages would).

const ENTRY = join(import.meta.dirname, '..', 'helpers', 'ehagent-from-source.ts')

let t: UiTestAgent
let home: string

beforeAll(async () => {
  t = await startUiTestAgent()
  home = mkdtempSync(join(tmpdir(), 'cli-cancel-'))
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
  rmSync(home, { recursive: true, force: true })
})

interface Child {
  process: ChildProcess
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function ehagent(...argv: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...argv, '--state-dir', t.stateDir, '--port', String(t.port)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  child.stdout!.resume()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return { process: child, stderr: () => stderr, exited }
}

/** The one prompt waiting for the user, once the CLI's request put it on the desk. */
async function waitingPrompt(): Promise<DeskEntry> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const waiting = t.web.desk.waiting()
    if (waiting.length === 1) return waiting[0]!
    if (waiting.length > 1) throw new Error(`${waiting.length} prompts wait; expected one`)
    if (Date.now() > deadline) throw new Error('no prompt appeared on the desk')
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function desk(id: string): Promise<string | undefined> {
  // The withdrawal follows the closed connection within a moment.
  for (let i = 0; i < 100 && t.web.desk.get(id)?.state.phase === 'waiting'; i++) await new Promise((r) => setTimeout(r, 20))
  return t.web.desk.get(id)?.state.phase
}

describe('Ctrl-C and SIGTERM in a waiting CLI command', () => {
  for (const [name, argv, kind, signal] of [
    ['login', ['login', '--profile', 'doctor'], 'sign-in', 'SIGINT'],
    ['pair', ['pair', '--name', 'Cancelled Tool'], 'pairing', 'SIGINT'],
    ['a sign that signs in', ['sign', 'ENVELOPE'], 'sign-in', 'SIGTERM'],
  ] as const) {
    it(`${name}: ${signal} ends the command at once (exit 5) and the prompt disappears from the agent`, async () => {
      const args = argv.map((a) => (a === 'ENVELOPE' ? '-' : a))
      const child = ehagent(...args)
      if ((argv as readonly string[]).includes('ENVELOPE')) child.process.stdin!.end(makeEnvelope(200))
      else child.process.stdin!.end()
      const prompt = await waitingPrompt()
      expect(prompt.question.kind).toBe(kind)
      const sent = Date.now()
      child.process.kill(signal)
      const exit = await child.exited
      expect(exit.code, child.stderr()).toBe(5)
      expect(Date.now() - sent).toBeLessThan(5000)
      expect(child.stderr()).toMatch(/cancelled \(interrupted\); the agent withdrew its prompt \[ERR_USER_CANCELLED\]/)
      // Gone from the desk: withdrawn, never answered, and its page says so.
      expect(await desk(prompt.id)).toBe('withdrawn')
      expect(t.web.desk.waiting()).toEqual([])
      expect(t.agent.services.session.current()).toBeUndefined()
      expect(t.agent.services.clients.list().map((c) => c.name)).not.toContain('Cancelled Tool')
    }, 60_000)
  }

  it('the abandoned prompt never blocks the next one: a new sign-in gets its own prompt and succeeds', async () => {
    const cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
    const login = cli.call('session.login', { profile: 'doctor' })
    const prompt = await waitingPrompt()
    expect(t.web.desk.answer(prompt.id, { kind: 'secret', secret: 'sandbox' })).toBe(true)
    await expect(login).resolves.toMatchObject({ state: 'signed-in' })
    await cli.call('session.logout')
  })

  it('the real entry point prints package.json’s version for --version', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(0)
    expect(out).toBe(`${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`)
  }, 30_000)
})
