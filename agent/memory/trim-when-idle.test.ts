import { describe, expect, it } from 'vitest'
import { obtainFullCollection } from './full-collection.js'
import { trimWhenIdle } from './trim-when-idle.js'

/** A manual timer: `tick()` fires the one armed timer, as the clock would after `intervalMs`. */
function manualTimer() {
  let armed: (() => void) | undefined
  let cancels = 0
  return {
    setTimer: (_ms: number, fn: () => void) => {
      armed = fn
      return () => {
        cancels++
        armed = undefined
      }
    },
    tick() {
      const fn = armed
      armed = undefined
      fn?.()
    },
    get armed() {
      return armed !== undefined
    },
    get cancels() {
      return cancels
    },
  }
}

function stand(minRequests = 10, rounds = 3) {
  const timer = manualTimer()
  let answered = 0
  let collections = 0
  const stop = trimWhenIdle({ answered: () => answered, collect: () => collections++, intervalMs: 5000, minRequests, rounds, setTimer: timer.setTimer })
  return {
    timer,
    stop,
    serve: (n: number) => (answered += n),
    get collections() {
      return collections
    },
  }
}

describe('trimWhenIdle', () => {
  it('after a burst, collects once per idle interval, `rounds` times, then no more', () => {
    const s = stand()
    s.serve(50)
    s.timer.tick() // requests came in this interval: busy, nothing collected
    expect(s.collections).toBe(0)
    for (let i = 1; i <= 5; i++) s.timer.tick()
    expect(s.collections).toBe(3)
  })

  it('collects nothing while requests keep coming, however long', () => {
    const s = stand()
    for (let i = 0; i < 20; i++) {
      s.serve(100)
      s.timer.tick()
    }
    expect(s.collections).toBe(0)
  })

  it('a request during the idle period stops the trim; the next idle period starts it again', () => {
    const s = stand()
    s.serve(50)
    s.timer.tick()
    s.timer.tick()
    expect(s.collections).toBe(1)
    s.serve(20) // a burst again
    s.timer.tick()
    expect(s.collections).toBe(1)
    for (let i = 0; i < 5; i++) s.timer.tick()
    expect(s.collections).toBe(4)
  })

  it('a few scattered requests are no burst: nothing is collected after them', () => {
    const s = stand(10)
    for (let i = 0; i < 3; i++) {
      s.serve(3)
      s.timer.tick()
      s.timer.tick()
      s.timer.tick()
    }
    expect(s.collections).toBe(0)
    s.serve(3) // ten since the last trim now
    s.timer.tick()
    s.timer.tick()
    expect(s.collections).toBe(1)
  })

  it('stop cancels the armed timer and nothing runs after it', () => {
    const s = stand()
    s.serve(50)
    expect(s.timer.armed).toBe(true)
    s.stop()
    expect(s.timer.cancels).toBe(1)
    expect(s.timer.armed).toBe(false)
    s.timer.tick()
    expect(s.collections).toBe(0)
  })

  it('refuses options that would never or always trim', () => {
    const timer = manualTimer()
    const base = { answered: () => 0, collect: () => undefined, setTimer: timer.setTimer }
    expect(() => trimWhenIdle({ ...base, intervalMs: 0, minRequests: 1, rounds: 1 })).toThrow(RangeError)
    expect(() => trimWhenIdle({ ...base, intervalMs: 5000, minRequests: 0, rounds: 1 })).toThrow(RangeError)
    expect(() => trimWhenIdle({ ...base, intervalMs: 5000, minRequests: 1, rounds: 0 })).toThrow(RangeError)
  })
})

describe('obtainFullCollection', () => {
  it('gives a working full collection without --expose-gc: an unreachable object is collected', async () => {
    const collect = obtainFullCollection()
    expect(collect).toBeTypeOf('function')
    let ref: WeakRef<object> | undefined
    ;(() => {
      ref = new WeakRef({ payload: new Array(1000).fill('x') })
    })()
    // A WeakRef's target is kept until the current job ends (ECMA-262 §9.10, ClearKeptObjects).
    await new Promise((resolve) => setTimeout(resolve, 0))
    collect!()
    expect(ref!.deref()).toBeUndefined()
  })

  it('leaves no `gc` behind in contexts made afterwards', async () => {
    obtainFullCollection()
    const { runInNewContext } = await import('node:vm')
    expect(runInNewContext('typeof gc')).toBe('undefined')
  })
})
