import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import { PromptDesk } from './prompt-desk.js'
import type { SignInPrompt } from './prompter.js'

const PROMPT: SignInPrompt = {
  client: 'x',
  purpose: 'login',
  profile: { id: 'doctor', label: 'Doctor' },
  environment: 'Sandbox',
  keySource: 'k',
  requirement: { secret: 'pin' },
}

function desk(clock = new FakeClock()) {
  let n = 0
  return { desk: new PromptDesk({ now: () => clock.now(), newId: () => `d${++n}` }), clock }
}

describe('PromptDesk', () => {
  it('takes one answer per prompt, only while it waits', async () => {
    const { desk: d } = desk()
    const { id, answer } = d.open({ kind: 'sign-in', prompt: PROMPT })
    expect(d.answer(id, { kind: 'secret', secret: '1' })).toBe(true)
    expect(d.answer(id, { kind: 'secret', secret: '2' })).toBe(false)
    expect(d.answer(id, { kind: 'cancel' })).toBe(false)
    await expect(answer).resolves.toEqual({ kind: 'secret', secret: '1' })
    expect(d.answer('nope', { kind: 'cancel' })).toBe(false)
  })

  it('settles only a prompt being checked; keeps finished prompts five minutes for their page', () => {
    const { desk: d, clock } = desk()
    const { id } = d.open({ kind: 'sign-in', prompt: PROMPT })
    d.settle(id, { phase: 'accepted', at: clock.now() })
    expect(d.get(id)?.state.phase).toBe('waiting')
    d.answer(id, { kind: 'secret', secret: '1' })
    d.settle(id, { phase: 'refused', code: 'ERR_PIN_INCORRECT', retriesLeft: 'low' })
    expect(d.get(id)?.state).toEqual({ phase: 'refused', code: 'ERR_PIN_INCORRECT', retriesLeft: 'low' })
    clock.advance(5 * 60_000)
    d.open({ kind: 'sign-in', prompt: PROMPT })
    expect(d.get(id)).toBeUndefined()
  })

  it('get returns a copy: a page cannot change the desk', () => {
    const { desk: d } = desk()
    const { id } = d.open({ kind: 'sign-in', prompt: PROMPT })
    const copy = d.get(id)!
    ;(copy.state as { phase: string }).phase = 'approved'
    expect(d.get(id)?.state.phase).toBe('waiting')
  })

  it('asks a refused sign-in again on the same prompt, saying why; only once its answer was taken', async () => {
    const { desk: d } = desk()
    const { id, answer } = d.open({ kind: 'sign-in', prompt: PROMPT })
    expect(d.reask(id, { code: 'ERR_PIN_INCORRECT' })).toBeUndefined()
    d.answer(id, { kind: 'secret', secret: '0000' })
    await answer
    d.settle(id, { phase: 'refused', code: 'ERR_PIN_INCORRECT', retriesLeft: 'low' })
    const again = d.reask(id, { code: 'ERR_PIN_INCORRECT', retriesLeft: 'low' })!
    expect(again.id).toBe(id)
    expect(d.get(id)?.state).toEqual({ phase: 'waiting', refusal: { code: 'ERR_PIN_INCORRECT', retriesLeft: 'low' } })
    expect(d.answer(id, { kind: 'secret', secret: '1234' })).toBe(true)
    await expect(again.answer).resolves.toEqual({ kind: 'secret', secret: '1234' })
    const pairing = d.open({ kind: 'pairing', prompt: { client: 'x', scopes: { methods: [], services: [] } } })
    d.answer(pairing.id, { kind: 'approve' })
    expect(d.reask(pairing.id, { code: 'ERR_PIN_INCORRECT' })).toBeUndefined()
  })

  it('withdraw: the waiting caller is told, the page says so, later answers are refused', async () => {
    const { desk: d } = desk()
    const { id, answer } = d.open({ kind: 'sign-in', prompt: PROMPT })
    d.withdraw(id)
    await expect(answer).resolves.toEqual({ kind: 'withdrawn' })
    expect(d.get(id)?.state).toEqual({ phase: 'withdrawn' })
    expect(d.answer(id, { kind: 'secret', secret: '1' })).toBe(false)
  })

  it('lists the prompts that wait for the user and tells subscribers of every change', () => {
    const { desk: d } = desk()
    let changes = 0
    d.subscribe(() => changes++)
    const one = d.open({ kind: 'sign-in', prompt: PROMPT })
    const two = d.open({ kind: 'pairing', prompt: { client: 'x', scopes: { methods: [], services: [] } } })
    expect(d.waiting().map((e) => e.id)).toEqual([one.id, two.id])
    d.answer(one.id, { kind: 'secret', secret: '1' })
    d.withdraw(two.id)
    expect(d.waiting()).toEqual([])
    expect(changes).toBe(4)
  })
})
