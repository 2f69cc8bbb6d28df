import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { SignInPrompt } from './prompter.js'
import { TerminalPrompter } from './terminal-prompter.js'

const PROMPT: SignInPrompt = {
  client: 'ehagent (this user)',
  purpose: 'login',
  profile: { id: 'doctor', label: 'Doctor' },
  environment: 'Sandbox',
  keySource: 'eID card',
  requirement: { secret: 'pin' },
}

/** A terminal the test types into, and what the prompter printed on it. */
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined })
  const output = new PassThrough()
  let printed = ''
  output.on('data', (d: Buffer) => (printed += d.toString()))
  return { terminal: { input, output }, type: (text: string) => input.write(text), printed: () => printed }
}

const tick = () => new Promise((r) => setImmediate(r))

describe('TerminalPrompter', () => {
  it('after a wrong PIN asks again, saying so and the tries left; an empty answer stops', async () => {
    const t = terminal()
    const prompter = new TerminalPrompter({ terminal: t.terminal })
    const again = prompter.askSecretAgain(PROMPT, { code: 'ERR_PIN_INCORRECT', retriesLeft: 1 })
    await tick()
    expect(t.printed()).toContain('The PIN is incorrect (last try before the card locks). Nothing is retried by itself.\neID PIN again, or empty to stop: ')
    t.type('1234\r')
    await expect(again).resolves.toBe('1234')
    const stop = prompter.askSecretAgain(PROMPT, { code: 'ERR_PIN_INCORRECT' })
    await tick()
    t.type('\r')
    await expect(stop).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
  })

  it('a question whose caller went away is withdrawn, and never blocks the next one', async () => {
    const t = terminal()
    const prompter = new TerminalPrompter({ terminal: t.terminal })
    const gone = new AbortController()
    const first = prompter.askSecret(PROMPT, { signal: gone.signal })
    const queued = new AbortController()
    const second = prompter.askSecret(PROMPT, { signal: queued.signal })
    const third = prompter.askSecret(PROMPT)
    await tick()
    queued.abort()
    gone.abort()
    await expect(first).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED', message: 'the application withdrew its request' })
    await expect(second).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(t.printed()).toContain('(withdrawn: the application stopped waiting)')
    await tick()
    t.type('4321\r')
    await expect(third).resolves.toBe('4321')
    // The withdrawn second question was never asked: two PIN questions in all.
    expect(t.printed().match(/eID PIN for eID card/g)).toHaveLength(2)
  })
})
