import { describe, expect, it } from 'vitest'
import { createSessionPool } from './session-pool.js'

function createCountingPool(size: number, isBroken?: (error: unknown) => boolean) {
  let next = 0
  const opened: number[] = []
  const closed: number[] = []
  const pool = createSessionPool<number>({
    size,
    open: () => {
      opened.push(++next)
      return next
    },
    close: (session) => void closed.push(session),
    isBroken,
    createClosedError: () => new Error('pool closed'),
  })
  return { pool, opened, closed }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('session pool', () => {
  it('never runs two tasks on one session, opens at most `size`, queues the rest in order', async () => {
    const { pool, opened } = createCountingPool(3)
    const busy = new Set<number>()
    let maxConcurrent = 0
    const order: number[] = []
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        pool.use(async (session) => {
          expect(busy.has(session)).toBe(false)
          busy.add(session)
          maxConcurrent = Math.max(maxConcurrent, busy.size)
          order.push(i)
          await tick()
          busy.delete(session)
        }),
      ),
    )
    expect(opened).toEqual([1, 2, 3])
    expect(maxConcurrent).toBe(3)
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(pool.busyCount).toBe(0)
  })

  it('keeps a session after an ordinary task error, drops it when isBroken says so', async () => {
    const { pool, opened, closed } = createCountingPool(1, (error) => (error as Error).message === 'gone')
    await expect(pool.use(() => Promise.reject(new Error('ordinary')))).rejects.toThrow('ordinary')
    expect(closed).toEqual([])
    await expect(pool.use(() => Promise.reject(new Error('gone')))).rejects.toThrow('gone')
    expect(closed).toEqual([1])
    await pool.use((session) => expect(session).toBe(2))
    expect(opened).toEqual([1, 2])
  })

  it('hands a fresh session to a waiter when the broken one is dropped', async () => {
    const { pool } = createCountingPool(1, () => true)
    const first = pool.use(async () => {
      await tick()
      throw new Error('gone')
    })
    const second = pool.use((session) => session)
    await expect(first).rejects.toThrow('gone')
    await expect(second).resolves.toBe(2)
  })

  it('close fails waiters, waits for running tasks, closes every session, refuses new tasks', async () => {
    const { pool, closed } = createCountingPool(1)
    let finished = false
    const running = pool.use(async () => {
      await tick()
      finished = true
    })
    const waiting = pool.use(() => 'never')
    const closing = pool.close()
    await expect(waiting).rejects.toThrow('pool closed')
    await closing
    expect(finished).toBe(true)
    await running
    expect(closed).toEqual([1])
    expect(pool.openCount).toBe(0)
    await expect(pool.use(() => 'late')).rejects.toThrow('pool closed')
  })

  it('reports a session that cannot be opened to the task that asked', async () => {
    const pool = createSessionPool<number>({
      size: 2,
      open: () => {
        throw new Error('CKR_TOKEN_NOT_PRESENT')
      },
      close: () => undefined,
      createClosedError: () => new Error('closed'),
    })
    await expect(pool.use(() => 1)).rejects.toThrow('CKR_TOKEN_NOT_PRESENT')
    expect(pool.openCount).toBe(0)
  })
})
