import { describe, expect, it } from 'vitest'
import { SharedRuns } from './shared-runs.js'

/** A run the test settles by hand, recording whether it was aborted. */
function controllable() {
  let resolve!: (value: string) => void
  let signal!: AbortSignal
  let starts = 0
  const start = (s: AbortSignal) => {
    starts++
    signal = s
    return new Promise<string>((r) => (resolve = r))
  }
  return { start, resolve: (v: string) => resolve(v), aborted: () => signal.aborted, starts: () => starts }
}

describe('SharedRuns', () => {
  it('callers of one key share one run; the next caller after it settled starts afresh', async () => {
    const runs = new SharedRuns<string>()
    const work = controllable()
    const a = runs.join('k', work.start, new AbortController().signal)
    const b = runs.join('k', work.start)
    expect(work.starts()).toBe(1)
    work.resolve('done')
    await expect(Promise.all([a, b])).resolves.toEqual(['done', 'done'])
    expect(runs.has('k')).toBe(false)
    void runs.join('k', work.start)
    expect(work.starts()).toBe(2)
  })

  it('a caller that goes away stops waiting at once; the run is aborted only when every caller went away', async () => {
    const runs = new SharedRuns<string>()
    const work = controllable()
    const first = new AbortController()
    const second = new AbortController()
    const a = runs.join('k', work.start, first.signal)
    const b = runs.join('k', work.start, second.signal)
    first.abort()
    await expect(a).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(work.aborted()).toBe(false)
    second.abort()
    await expect(b).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(work.aborted()).toBe(true)
  })

  it('a caller arriving while a run every caller left still winds down starts afresh, once it has', async () => {
    const runs = new SharedRuns<string>()
    const work = controllable()
    const gone = new AbortController()
    const a = runs.join('k', work.start, gone.signal)
    gone.abort()
    await expect(a).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(work.aborted()).toBe(true)
    // The abandoned run has not settled yet (its keys are being locked again): not joined, not overlapped.
    const next = runs.join('k', work.start)
    await new Promise((r) => setImmediate(r))
    expect(work.starts()).toBe(1)
    work.resolve('abandoned')
    await new Promise((r) => setImmediate(r))
    expect([work.starts(), work.aborted()]).toEqual([2, false])
    work.resolve('fresh')
    await expect(next).resolves.toBe('fresh')
  })

  it('a caller without a signal keeps the run alive; one already gone never starts it', async () => {
    const runs = new SharedRuns<string>()
    const work = controllable()
    const leaving = new AbortController()
    const a = runs.join('k', work.start, leaving.signal)
    const staying = runs.join('k', work.start)
    leaving.abort()
    await expect(a).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(work.aborted()).toBe(false)
    work.resolve('kept')
    await expect(staying).resolves.toBe('kept')
    const gone = new AbortController()
    gone.abort()
    await expect(runs.join('other', work.start, gone.signal)).rejects.toMatchObject({ code: 'ERR_USER_CANCELLED' })
    expect(work.starts()).toBe(1)
  })
})
