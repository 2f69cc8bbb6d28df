import { describe, expect, it } from 'vitest'
import { AgentError } from '../../protocol/errors.js'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import type { PairingPrompt, SignInPrompt } from './prompter.js'
import { PrompterUnavailableError } from './prompter-unavailable.js'
import { WebPrompter } from './web-prompter.js'

const SIGN_IN: SignInPrompt = {
  client: 'MediSoft 4.2',
  purpose: 'login',
  profile: { id: 'doctor', label: 'Doctor' },
  environment: 'Sandbox (simulated eHealth)',
  keySource: 'eHealth keystore SSIN=1.p12',
  requirement: { secret: 'password' },
}
const PAIRING: PairingPrompt = { client: 'MediSoft 4.2', scopes: { methods: ['soap.sign'], services: ['*'] } }

/** A connected web prompter whose "browser" records what it was asked to open. */
function setup(options: { timeoutMs?: number; openUrl?: (url: string) => Promise<void> } = {}) {
  const clock = new FakeClock()
  const opened: string[] = []
  let n = 0
  const web = new WebPrompter({ clock, timeoutMs: options.timeoutMs ?? 60_000, newId: () => `p${++n}`, openUrl: options.openUrl ?? (async (url) => void opened.push(url)) })
  web.connect((id) => `http://127.0.0.1:4752/ui/open?t=link-for-${id}`)
  return { web, clock, opened }
}

const tick = () => new Promise((r) => setImmediate(r))

describe('WebPrompter', () => {
  it('opens the prompt page and gives the caller the secret the page took; the desk keeps no secret', async () => {
    const { web, opened } = setup()
    const secret = web.askSecret(SIGN_IN)
    await tick()
    expect(opened).toEqual(['http://127.0.0.1:4752/ui/open?t=link-for-p1'])
    expect(web.desk.get('p1')?.question).toEqual({ kind: 'sign-in', prompt: SIGN_IN })
    expect(web.desk.answer('p1', { kind: 'secret', secret: 'sandbox' })).toBe(true)
    await expect(secret).resolves.toBe('sandbox')
    expect(JSON.stringify(web.desk.get('p1'))).not.toContain('sandbox')
    expect(web.desk.get('p1')?.state).toEqual({ phase: 'checking' })
  })

  it('Cancel → ERR_USER_CANCELLED; no answer in time → ERR_USER_TIMEOUT, and the page then says it expired', async () => {
    const { web, clock } = setup({ timeoutMs: 1000 })
    const cancelled = web.askSecret(SIGN_IN)
    await tick()
    web.desk.answer('p1', { kind: 'cancel' })
    await expect(cancelled).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    const silent = web.askSecret(SIGN_IN)
    silent.catch(() => undefined)
    await tick()
    clock.advance(1000)
    await expect(silent).rejects.toMatchObject({ code: 'ERR_USER_TIMEOUT' })
    expect(web.desk.get('p2')?.state).toEqual({ phase: 'expired' })
    expect(web.desk.answer('p2', { kind: 'secret', secret: 'late' })).toBe(false)
  })

  it('the same prompt asked ten times while open: one page, one answer for all (T11)', async () => {
    const { web, opened } = setup()
    const asks = Array.from({ length: 10 }, () => web.askSecret(SIGN_IN))
    await tick()
    expect(opened).toHaveLength(1)
    web.desk.answer('p1', { kind: 'secret', secret: '1234' })
    expect(await Promise.all(asks)).toEqual(Array(10).fill('1234'))
    // Once answered, a new ask is a new prompt (a new attempt, after a wrong PIN for instance).
    void web.askSecret(SIGN_IN)
    await tick()
    expect(opened).toHaveLength(2)
  })

  it('different prompts get their own pages', async () => {
    const { web, opened } = setup()
    void web.askSecret(SIGN_IN)
    void web.askSecret({ ...SIGN_IN, profile: { id: 'citizen', label: 'Citizen' } })
    void web.approvePairing(PAIRING)
    await tick()
    expect(opened).toHaveLength(3)
  })

  it('a pinpad (confirm): the page confirms, no secret is taken', async () => {
    const { web } = setup()
    const prompt = { ...SIGN_IN, requirement: { secret: 'none' as const } }
    const confirmed = web.confirm(prompt)
    await tick()
    expect(web.desk.answer('p1', { kind: 'secret', secret: 'x' })).toBe(false)
    expect(web.desk.answer('p1', { kind: 'confirm' })).toBe(true)
    await expect(confirmed).resolves.toBeUndefined()
  })

  it('pairing: approve → true; deny, cancel and silence → false', async () => {
    const { web, clock } = setup({ timeoutMs: 500 })
    const approved = web.approvePairing(PAIRING)
    await tick()
    expect(web.desk.answer('p1', { kind: 'secret', secret: 'x' })).toBe(false)
    web.desk.answer('p1', { kind: 'approve' })
    await expect(approved).resolves.toBe(true)
    const denied = web.approvePairing(PAIRING)
    await tick()
    web.desk.answer('p2', { kind: 'deny' })
    await expect(denied).resolves.toBe(false)
    const silent = web.approvePairing(PAIRING)
    await tick()
    clock.advance(500)
    await expect(silent).resolves.toBe(false)
  })

  it('pairing: the use policy the user chose on the page comes back with the approval', async () => {
    const { web } = setup()
    const approved = web.approvePairing({ ...PAIRING, usePolicy: 'silent' })
    await tick()
    web.desk.answer('p1', { kind: 'approve', usePolicy: 'ask' })
    await expect(approved).resolves.toEqual({ approved: true, usePolicy: 'ask' })
  })

  it('approvals: a website or a program asked twice while open is one page; each use is its own page', async () => {
    const { web, opened } = setup()
    const origin = { client: 'Browser extension (x)', kind: 'origin' as const, clientId: 'c1', origin: 'https://app.example.be' }
    const first = web.approve(origin)
    const second = web.approve(origin)
    const use = { client: 'MediSoft', kind: 'use' as const, method: 'soap.sign' as const, bodyRoot: '{urn:x}Op' }
    const uses = [web.approve(use), web.approve(use)]
    await tick()
    expect(opened).toHaveLength(3)
    expect(web.desk.get('p1')?.question).toEqual({ kind: 'approval', prompt: origin })
    // An approval takes a yes or a no, never a secret.
    expect(web.desk.answer('p1', { kind: 'secret', secret: 'x' })).toBe(false)
    web.desk.answer('p1', { kind: 'approve' })
    await expect(Promise.all([first, second])).resolves.toEqual([true, true])
    web.desk.answer('p2', { kind: 'deny' })
    web.desk.answer('p3', { kind: 'approve' })
    await expect(Promise.all(uses)).resolves.toEqual([false, true])
  })

  it('tells the page what the key source made of the answer', async () => {
    const { web, clock } = setup()
    const one = web.askSecret(SIGN_IN)
    await tick()
    web.desk.answer('p1', { kind: 'secret', secret: '0000' })
    await one
    web.reportLogin(SIGN_IN.keySource, { ok: false, error: new AgentError('ERR_PIN_INCORRECT', undefined, { retriesLeft: 1 }) })
    expect(web.desk.get('p1')?.state).toEqual({ phase: 'refused', code: 'ERR_PIN_INCORRECT', retriesLeft: 1 })
    const two = web.askSecret(SIGN_IN)
    await tick()
    web.desk.answer('p2', { kind: 'secret', secret: '1234' })
    await two
    web.reportLogin(SIGN_IN.keySource, { ok: true })
    expect(web.desk.get('p2')?.state).toEqual({ phase: 'accepted', at: clock.now() })
    // An outcome nobody waits for changes nothing.
    web.reportLogin('another key', { ok: false, error: new Error('x') })
    expect(web.desk.get('p2')?.state.phase).toBe('accepted')
  })

  it('unavailable (so the terminal can ask) before connect, after disconnect, and when no browser opens', async () => {
    const clock = new FakeClock()
    const web = new WebPrompter({ clock, openUrl: async () => undefined })
    await expect(web.askSecret(SIGN_IN)).rejects.toBeInstanceOf(PrompterUnavailableError)
    const broken = setup({ openUrl: async () => Promise.reject(new Error('xdg-open exited with code 3')) })
    await expect(broken.web.askSecret(SIGN_IN)).rejects.toThrow(/the browser could not be opened: xdg-open exited with code 3/)
    expect(broken.web.desk.get('p1')).toBeUndefined()
  })

  it('disconnect answers every waiting prompt with a timeout at once', async () => {
    const { web } = setup()
    const waiting = web.askSecret(SIGN_IN)
    await tick()
    web.disconnect()
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_USER_TIMEOUT' })
    await expect(web.askSecret(SIGN_IN)).rejects.toBeInstanceOf(PrompterUnavailableError)
  })

  it('a wrong secret is asked again on the same page, which says so; the user may stop there', async () => {
    const { web, opened } = setup()
    const first = web.askSecret(SIGN_IN)
    await tick()
    web.desk.answer('p1', { kind: 'secret', secret: 'wrong' })
    await first
    web.reportLogin(SIGN_IN.keySource, { ok: false, error: new AgentError('ERR_PASSWORD_INCORRECT') })
    const again = web.askSecretAgain(SIGN_IN, { code: 'ERR_PASSWORD_INCORRECT' })
    // Before anything else runs: the page already asks again (no "refused" page in between).
    expect(web.desk.get('p1')?.state).toEqual({ phase: 'waiting', refusal: { code: 'ERR_PASSWORD_INCORRECT' } })
    await tick()
    expect(opened).toHaveLength(1)
    web.desk.answer('p1', { kind: 'secret', secret: 'sandbox' })
    await expect(again).resolves.toBe('sandbox')
    web.reportLogin(SIGN_IN.keySource, { ok: true })
    expect(web.desk.get('p1')?.state.phase).toBe('accepted')
    // Asked again, the user stops.
    const third = web.askSecret(SIGN_IN)
    await tick()
    web.desk.answer('p2', { kind: 'secret', secret: 'wrong' })
    await third
    const stopped = web.askSecretAgain(SIGN_IN, { code: 'ERR_PASSWORD_INCORRECT' })
    web.desk.answer('p2', { kind: 'cancel' })
    await expect(stopped).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
  })

  it('a prompt whose callers all went away is withdrawn at once; one that stays keeps it', async () => {
    const { web } = setup()
    const leaving = new AbortController()
    const staying = new AbortController()
    const a = web.askSecret(SIGN_IN, { signal: leaving.signal })
    const b = web.askSecret(SIGN_IN, { signal: staying.signal })
    await tick()
    leaving.abort()
    await expect(a).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(web.desk.get('p1')?.state.phase).toBe('waiting')
    staying.abort()
    await expect(b).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(web.desk.get('p1')?.state).toEqual({ phase: 'withdrawn' })
    expect(web.desk.waiting()).toEqual([])
    // An abandoned prompt never blocks the next one: a new question gets a page of its own.
    const next = web.approvePairing(PAIRING, { signal: new AbortController().signal })
    await tick()
    expect(web.desk.waiting().map((e) => e.id)).toEqual(['p2'])
    web.desk.answer('p2', { kind: 'approve' })
    await expect(next).resolves.toBe(true)
  })

  it('reopen: the page of the waiting prompt again, with a fresh link; false when none waits', async () => {
    const { web, opened } = setup()
    void web.approvePairing(PAIRING)
    await tick()
    await expect(web.reopen()).resolves.toBe(true)
    expect(opened).toEqual(['http://127.0.0.1:4752/ui/open?t=link-for-p1', 'http://127.0.0.1:4752/ui/open?t=link-for-p1'])
    web.desk.answer('p1', { kind: 'deny' })
    await expect(web.reopen()).resolves.toBe(false)
  })
})
