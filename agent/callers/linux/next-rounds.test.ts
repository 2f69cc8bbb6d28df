import { describe, expect, it } from 'vitest'
import { createNextRounds } from './next-rounds.js'

/** A round whose end the test decides, recording the keys of each round. */
function controlledRounds() {
  const rounds: string[][] = []
  const ends: (() => void)[] = []
  let concurrent = 0
  let maxConcurrent = 0
  const rounds$ = createNextRounds<string, string>(
    (keys) =>
      new Promise((resolve) => {
        const n = rounds.push([...keys].sort())
        maxConcurrent = Math.max(maxConcurrent, ++concurrent)
        ends.push(() => {
          concurrent--
          resolve(new Map([...keys].filter((k) => k !== 'absent').map((k) => [k, `${k}@${n}`])))
        })
      }),
    'missing',
  )
  return { rounds, ends, rounds$, maxConcurrent: () => maxConcurrent }
}

const turn = () => new Promise<void>((r) => setImmediate(r))

describe('createNextRounds', () => {
  it('answers the keys asked in one turn from one round', async () => {
    const { rounds, ends, rounds$ } = controlledRounds()
    const a = rounds$.ask('a')
    const b = rounds$.ask('b')
    const again = rounds$.ask('a')
    await turn()
    expect(rounds).toEqual([['a', 'b']])
    ends[0]!()
    await expect(Promise.all([a, b, again])).resolves.toEqual(['a@1', 'b@1', 'a@1'])
  })

  it('gives a key asked while a round runs the next round, never the running one, and runs one at a time', async () => {
    const { rounds, ends, rounds$, maxConcurrent } = controlledRounds()
    const first = rounds$.ask('a')
    await turn()
    const late = rounds$.ask('a')
    const other = rounds$.ask('c')
    await turn()
    expect(rounds).toEqual([['a']])
    ends[0]!()
    await expect(first).resolves.toBe('a@1')
    await turn()
    expect(rounds).toEqual([['a'], ['a', 'c']])
    ends[1]!()
    await expect(Promise.all([late, other])).resolves.toEqual(['a@2', 'c@2'])
    expect(maxConcurrent()).toBe(1)
  })

  it('answers `missing` for a key the round left out, and for every key of a round that failed', async () => {
    const { ends, rounds$ } = controlledRounds()
    const absent = rounds$.ask('absent')
    await turn()
    ends[0]!()
    await expect(absent).resolves.toBe('missing')
    const failing = createNextRounds<string, string>(() => Promise.reject(new Error('EACCES')), 'missing')
    await expect(Promise.all([failing.ask('x'), failing.ask('y')])).resolves.toEqual(['missing', 'missing'])
    // and it goes on serving after a failure
    await expect(failing.ask('z')).resolves.toBe('missing')
  })
})
